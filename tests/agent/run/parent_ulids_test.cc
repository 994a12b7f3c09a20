#include "agent/run/parent_ulids.h"

#include <catch2/catch.hpp>
#include <string>

#include "transformers/ulid.h"

namespace ferry::parent_ulids_test {

namespace {

// A distinct ULID for each n, with bits set in both halves and at both ends.
std::string UlidOf(uint64_t n) {
  Ulid ulid;
  for (size_t i = 0; i < 16; ++i) ulid.bytes[i] = static_cast<uint8_t>((n >> (8 * (i % 8))) + i);
  ulid.bytes[0] &= 0x7f;
  return EncodeUlid(ulid);
}

std::optional<std::string> Found(const ParentUlids& parents, const std::string& entity,
                                 const std::string& legacy) {
  Result<std::optional<std::string>> found = parents.Find(entity, legacy);
  REQUIRE(found.ok());
  return *found;
}

}  // namespace

TEST_CASE("ParentUlids: a ULID, a missing parent and nothing known are told apart",
          "[agent][run]") {
  ParentUlids parents;
  std::string ulid = UlidOf(7);
  REQUIRE(parents.Put("users", "u1", ulid).ok());
  REQUIRE(parents.Put("users", "u2", "").ok());
  CHECK(Found(parents, "users", "u1") == ulid);
  CHECK(Found(parents, "users", "u2") == std::string());
  CHECK_FALSE(Found(parents, "users", "u3").has_value());
  CHECK_FALSE(Found(parents, "tasks", "u1").has_value());  // another entity's parent
  // An entity and legacy id that would run together without the separator.
  CHECK_FALSE(Found(parents, "user", "su1").has_value());
  CHECK(parents.size() == 2);
}

TEST_CASE("ParentUlids: an answer replaced is the new one, in memory and past the budget",
          "[agent][run]") {
  // Past the budget the old answers are in runs of the temporary file: a ULID refused later
  // (commit_batch.cc sets it empty) must not come back from there.
  ParentUlids parents(4096);
  constexpr int kParents = 20000;  // ~250 spills at this budget, merged to at most 8 runs
  for (int i = 0; i < kParents; ++i) {
    REQUIRE(parents.Put("users", "u" + std::to_string(i), UlidOf(static_cast<uint64_t>(i))).ok());
  }
  CHECK(parents.spilled_runs() > 10);
  for (int i = 0; i < kParents; i += 3) {
    REQUIRE(parents.Put("users", "u" + std::to_string(i), "").ok());
  }
  REQUIRE(parents.Put("users", "u1", UlidOf(999999)).ok());
  for (int i = 0; i < kParents; ++i) {
    std::optional<std::string> found = Found(parents, "users", "u" + std::to_string(i));
    REQUIRE(found.has_value());
    if (i == 1) {
      CHECK(*found == UlidOf(999999));
    } else if (i % 3 == 0) {
      CHECK(found->empty());
    } else {
      CHECK(*found == UlidOf(static_cast<uint64_t>(i)));
    }
  }
  CHECK_FALSE(Found(parents, "users", "u" + std::to_string(kParents)).has_value());
  CHECK(parents.size() == kParents);
  parents.Clear();
  CHECK_FALSE(Found(parents, "users", "u1").has_value());
  CHECK(parents.size() == 0);
}

TEST_CASE("ParentUlids: a ULID that is not in ferry's form is kept as it is", "[agent][run]") {
  // The id map of a target may hold a lowercase ULID (Crockford decodes it): the reference
  // must name the row by the text the id map holds.
  ParentUlids parents;
  std::string lower = "01arz3ndektsv4rrffq69g5fav";
  REQUIRE(parents.Put("users", "u1", lower).ok());
  CHECK(Found(parents, "users", "u1") == lower);
  REQUIRE(parents.Put("users", "u1", UlidOf(3)).ok());
  CHECK(Found(parents, "users", "u1") == UlidOf(3));
  REQUIRE(parents.Put("users", "u1", "").ok());
  CHECK(Found(parents, "users", "u1") == std::string());
}

}  // namespace ferry::parent_ulids_test
