#include "base/spilling_id_map.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <unordered_map>

namespace ferry::spilling_id_map_test {

namespace {

std::optional<int64_t> FindOk(const SpillingIdMap& map, const std::string& id) {
  Result<std::optional<int64_t>> found = map.Find(id);
  REQUIRE(found.ok());
  return *found;
}

}  // namespace

TEST_CASE("SpillingIdMap: finds, erases and puts again, in memory", "[base]") {
  SpillingIdMap map;
  CHECK_FALSE(FindOk(map, "a"));
  REQUIRE(map.Insert("a", 3).ok());
  REQUIRE(map.Insert("b", -1).ok());
  CHECK(FindOk(map, "a") == std::optional<int64_t>(3));
  CHECK(FindOk(map, "b") == std::optional<int64_t>(-1));
  REQUIRE(map.Erase("a").ok());
  REQUIRE(map.Erase("never").ok());
  CHECK_FALSE(FindOk(map, "a"));
  REQUIRE(map.Insert("a", 9).ok());
  CHECK(FindOk(map, "a") == std::optional<int64_t>(9));
  CHECK(map.spilled_runs() == 0);
}

TEST_CASE("SpillingIdMap: past its budget answers as a map does, erasures included", "[base]") {
  // A budget of ~100 ids: 20,000 ids go to ~200 runs, with tombstones over spilled ids and ids
  // put again after their tombstone spilled. Every answer is checked against a plain map.
  SpillingIdMap map(/*memory_budget=*/100 * 72);
  std::unordered_map<std::string, int64_t> expected;
  std::mt19937 random(7);
  auto check_some = [&](int count) {
    for (int i = 0; i < count; ++i) {
      std::string id = "id" + std::to_string(random() % 30000);
      auto want = expected.find(id);
      std::optional<int64_t> got = FindOk(map, id);
      INFO(id);
      if (want == expected.end()) {
        CHECK_FALSE(got);
      } else {
        CHECK(got == std::optional<int64_t>(want->second));
      }
    }
  };
  for (int64_t i = 0; i < 20000; ++i) {
    std::string id = "id" + std::to_string(random() % 30000);
    if (expected.count(id)) {
      if (random() % 2 == 0) {
        REQUIRE(map.Erase(id).ok());
        expected.erase(id);
      }
      continue;
    }
    REQUIRE(map.Insert(id, i).ok());
    expected[id] = i;
    if (i % 1000 == 0) check_some(200);
  }
  CHECK(map.spilled_runs() > 50);
  // Merged as a binary counter: a lookup reads at most log2(spills) + 1 runs.
  CHECK(map.live_runs() <= 1 + static_cast<size_t>(std::log2(map.spilled_runs())));
  check_some(5000);
  for (const auto& [id, value] : expected) {
    REQUIRE(FindOk(map, id) == std::optional<int64_t>(value));
  }
}

TEST_CASE("SpillingIdMap: an id longer than a block, spilled, is found", "[base]") {
  SpillingIdMap map(/*memory_budget=*/1);  // every put spills
  std::string long_id(40000, 'x');
  REQUIRE(map.Insert("a", 1).ok());
  REQUIRE(map.Insert(long_id, 2).ok());
  REQUIRE(map.Insert("z", 3).ok());
  CHECK(map.spilled_runs() == 3);
  CHECK(map.live_runs() == 2);  // levels 1 (a and the long id, merged) and 0 (z)
  CHECK(FindOk(map, long_id) == std::optional<int64_t>(2));
  CHECK(FindOk(map, "a") == std::optional<int64_t>(1));
  CHECK(FindOk(map, "z") == std::optional<int64_t>(3));
  CHECK_FALSE(FindOk(map, std::string(40000, 'y')));
  REQUIRE(map.Erase(long_id).ok());
  CHECK_FALSE(FindOk(map, long_id));
}

TEST_CASE("SpillingIdMap: runs merged, newest first, a tombstone hiding an older id", "[base]") {
  // Every put spills: each erase and re-put lands in a run of its own and is merged with the
  // runs before it as the count of spills carries.
  SpillingIdMap map(/*memory_budget=*/1);
  for (int i = 0; i < 64; ++i) REQUIRE(map.Insert("k" + std::to_string(i), i).ok());
  CHECK(map.live_runs() == 1);  // 64 spills: one run of level 6
  for (int i = 0; i < 64; i += 2) REQUIRE(map.Erase("k" + std::to_string(i)).ok());
  REQUIRE(map.Insert("k4", 400).ok());  // put again over its tombstone
  CHECK(map.spilled_runs() == 97);
  CHECK(map.live_runs() == 3);  // 97 = 64 + 32 + 1: levels 6, 5 and 0
  for (int i = 0; i < 64; ++i) {
    INFO(i);
    std::optional<int64_t> want;
    if (i == 4) {
      want = 400;
    } else if (i % 2 == 1) {
      want = i;
    }
    CHECK(FindOk(map, "k" + std::to_string(i)) == want);
  }
  for (int i = 1; i < 64; i += 2) REQUIRE(map.Erase("k" + std::to_string(i)).ok());
  REQUIRE(map.Erase("k4").ok());
  for (int i = 0; i < 64; ++i) CHECK_FALSE(FindOk(map, "k" + std::to_string(i)));
}

TEST_CASE(
    "SpillingIdMap: a temporary folder that cannot hold the spill is an IOError naming "
    "TMPDIR",
    "[base]") {
  const char* saved = std::getenv("TMPDIR");
  std::string kept = saved != nullptr ? saved : "";
  ::setenv("TMPDIR", "/nonexistent-ferry-folder", 1);
  SpillingIdMap map(/*memory_budget=*/1);
  Status put = map.Insert("a", 1);
  if (saved != nullptr) {
    ::setenv("TMPDIR", kept.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  CHECK(put.IsIOError());
  CHECK_THAT(put.message(), Catch::Contains("TMPDIR"));
}

}  // namespace ferry::spilling_id_map_test
