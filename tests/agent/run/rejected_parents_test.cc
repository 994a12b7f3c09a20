// RejectedParents (agent/run/rejected_parents.h): where a unit's parents were rejected, the
// places kept up to a budget, the ids past it.
#include "agent/run/rejected_parents.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::rejected_parents_test {

TEST_CASE("RejectedParents: a rejected parent's place, by entity and legacy id", "[agent][run]") {
  RejectedParents rejected;
  REQUIRE(rejected.Note("users", "u1", "a.json key=users index=0").ok());
  REQUIRE(rejected.Note("users", "u1", "a.json key=users index=9").ok());  // the first wins
  CHECK(rejected.Find("users", "u1") == std::optional<std::string>("a.json key=users index=0"));
  CHECK_FALSE(rejected.Find("users", "u2"));
  CHECK_FALSE(rejected.Find("teams", "u1"));  // another entity's
  CHECK_FALSE(rejected.Find("user", "su1"));  // no running together of entity and id
  rejected.Clear();
  CHECK_FALSE(rejected.Find("users", "u1"));
}

TEST_CASE("RejectedParents: past its budget the ids are kept, not their places", "[agent][run]") {
  RejectedParents rejected(/*places_budget=*/4096);
  constexpr int kParents = 20000;  // far past 4 KiB: the ids spill
  for (int i = 0; i < kParents; ++i) {
    REQUIRE(rejected.Note("users", "u" + std::to_string(i), "place " + std::to_string(i)).ok());
  }
  CHECK(rejected.Find("users", "u0") == std::optional<std::string>("place 0"));
  std::optional<std::string> late = rejected.Find("users", "u" + std::to_string(kParents - 1));
  CHECK(late == std::optional<std::string>(kRejectedPlaceNotKept));
  for (int i = 0; i < kParents; ++i) {
    REQUIRE(rejected.Find("users", "u" + std::to_string(i)).has_value());
  }
  CHECK_FALSE(rejected.Find("users", "u" + std::to_string(kParents)));
  CHECK_FALSE(rejected.Find("teams", "u5"));
  rejected.Clear();
  CHECK_FALSE(rejected.Find("users", "u" + std::to_string(kParents - 1)));
}

}  // namespace ferry::rejected_parents_test
