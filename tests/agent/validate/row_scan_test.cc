// UlidProblem (agent/validate/row_scan.h): what `ferry validate` says of a row's ULID.
// Issue 17 item 6.
#include "agent/validate/row_scan.h"

#include <catch2/catch.hpp>
#include <cctype>

#include "transformers/ulid.h"

namespace ferry::row_scan_test {

namespace {

// 2023-11-29T10:00:00.000Z, and a ULID holding it.
constexpr int64_t kCreated = 1701252000000;

std::string UlidAt(int64_t ms) {
  Ulid ulid;
  for (int i = 5; i >= 0; --i) {
    ulid.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(ms & 0xff);
    ms >>= 8;
  }
  ulid.bytes[15] = 7;
  return EncodeUlid(ulid);
}

}  // namespace

TEST_CASE("UlidProblem: a canonical ULID holding the creation time is sound", "[validate][ulid]") {
  bool time_only = true;
  CHECK_FALSE(UlidProblem(UlidAt(kCreated), kCreated, &time_only));
  CHECK_FALSE(time_only);
  CHECK_FALSE(UlidProblem(UlidAt(kCreated), std::nullopt, &time_only));  // no creation time
}

TEST_CASE("UlidProblem: null, malformed and non-canonical ULIDs are named", "[validate][ulid]") {
  bool time_only = true;
  CHECK(UlidProblem(Cell{}, kCreated, &time_only) == std::string("no ULID"));
  CHECK_FALSE(time_only);
  CHECK_THAT(*UlidProblem(std::string("not-a-ulid"), kCreated, &time_only),
             Catch::Contains("not-a-ulid is not well-formed"));
  CHECK_THAT(*UlidProblem(std::string("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"), std::nullopt, &time_only),
             Catch::Contains("not well-formed"));  // above 128 bits
  std::string lower = UlidAt(kCreated);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK_THAT(*UlidProblem(lower, kCreated, &time_only), Catch::Contains("not in canonical form"));
  CHECK_FALSE(time_only);
  CHECK_THAT(*UlidProblem(int64_t{5}, kCreated, &time_only), Catch::Contains("no ULID"));
}

TEST_CASE("UlidProblem: a ULID whose time is not the row's creation time is named",
          "[validate][ulid]") {
  bool time_only = false;
  std::optional<std::string> problem = UlidProblem(UlidAt(kCreated + 1), kCreated, &time_only);
  REQUIRE(problem);
  CHECK(time_only);
  CHECK_THAT(*problem, Catch::Contains("holds the time 1701252000001 ms, the row's creation "
                                       "time is 1701252000000 ms"));
}

}  // namespace ferry::row_scan_test
