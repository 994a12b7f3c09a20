#include "loaders/loader.h"

#include <catch2/catch.hpp>

namespace ferry::loader_test {
namespace {

TEST_CASE("ConflictPolicy: every policy's name parses back to it", "[loaders][conflict]") {
  for (ConflictPolicy policy :
       {ConflictPolicy::kSkip, ConflictPolicy::kOverwrite, ConflictPolicy::kMerge}) {
    std::optional<ConflictPolicy> parsed = ParseConflictPolicy(ConflictPolicyName(policy));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == policy);
  }
  CHECK(std::string(ConflictPolicyName(ConflictPolicy::kSkip)) == "skip");
  CHECK(std::string(ConflictPolicyName(ConflictPolicy::kOverwrite)) == "overwrite");
  CHECK(std::string(ConflictPolicyName(ConflictPolicy::kMerge)) == "merge");
}

TEST_CASE("ConflictPolicy: unknown, empty and differently cased names are refused",
          "[loaders][conflict]") {
  CHECK_FALSE(ParseConflictPolicy("").has_value());
  CHECK_FALSE(ParseConflictPolicy("Skip").has_value());
  CHECK_FALSE(ParseConflictPolicy("skip ").has_value());
  CHECK_FALSE(ParseConflictPolicy("interactive").has_value());
  CHECK_FALSE(ParseConflictPolicy(std::string("skip\0x", 6)).has_value());
}

}  // namespace
}  // namespace ferry::loader_test
