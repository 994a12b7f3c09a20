#include "agent/run/unit_entries.h"

#include <catch2/catch.hpp>

namespace ferry::unit_entries_test {

namespace {

Entry Make(const std::string& key, std::string value) {
  Entry entry;
  entry.unit = "dumps/alice.json";
  entry.user_hint = "alice";
  entry.origin = "https://a.test";
  entry.key = key;
  entry.value = std::move(value);
  entry.where.file = "dumps/alice.json";
  entry.where.offset = 42;
  entry.where.key = key;
  return entry;
}

void CheckSame(const Entry& a, const Entry& b) {
  CHECK(a.unit == b.unit);
  CHECK(a.user_hint == b.user_hint);
  CHECK(a.origin == b.origin);
  CHECK(a.key == b.key);
  CHECK(a.value == b.value);
  CHECK(a.shape == b.shape);
  CHECK(a.where.ToString() == b.where.ToString());
  CHECK(a.lossy == b.lossy);
  CHECK(a.exact_origin_json == b.exact_origin_json);
  CHECK(a.exact_key_json == b.exact_key_json);
  CHECK(a.exact_value_json == b.exact_value_json);
  CHECK(a.lossy_detail == b.lossy_detail);
  CHECK(a.overridden == b.overridden);
}

}  // namespace

TEST_CASE("UnitEntries: entries past the budget read back as they were given",
          "[agent][run][memory]") {
  std::vector<Entry> given;
  for (int i = 0; i < 3000; ++i) given.push_back(Make("k" + std::to_string(i), "[1]"));
  Entry lossy = Make("odd\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
  lossy.lossy = true;
  lossy.exact_key_json = "odd\\ud800";
  lossy.exact_value_json = "\"\\ud800\"";
  lossy.lossy_detail = "unpaired surrogate";
  lossy.shape = EntryShape::kRecord;
  lossy.overridden = 2;
  lossy.where.line = 7;
  lossy.where.index = 3;
  given.push_back(lossy);
  given.push_back(Make("big", std::string(1 << 20, 'x')));  // past one I/O block
  given.push_back(Make("empty", ""));

  UnitEntries unit(/*memory_budget=*/64 << 10);
  for (const Entry& entry : given) REQUIRE(unit.Add(entry).ok());
  REQUIRE(unit.size() == given.size());
  CHECK(unit.spilled() > 0);
  CHECK(unit.spilled() < given.size());
  CHECK(unit.unit() == "dumps/alice.json");
  CHECK(unit.user_hint() == "alice");
  uint64_t value_bytes = 0;
  for (const Entry& entry : given) value_bytes += entry.value.size();
  CHECK(unit.value_bytes() == value_bytes);

  // Twice, and out of order: every pass of the processor reads the unit again.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t n = 0; n < given.size(); ++n) {
      size_t i = pass == 0 ? n : given.size() - 1 - n;
      Entry scratch;
      Result<const Entry*> read = unit.Get(i, &scratch);
      REQUIRE(read.ok());
      CheckSame(**read, given[i]);
    }
  }
  Entry scratch;
  Result<const Entry*> keyed = unit.Get(given.size() - 2, &scratch, /*with_value=*/false);
  REQUIRE(keyed.ok());
  CHECK((*keyed)->key == "big");
  CHECK((*keyed)->value.empty());
}

TEST_CASE("UnitEntries: a unit under the budget stays in memory", "[agent][run][memory]") {
  UnitEntries unit;
  REQUIRE(unit.Add(Make("tasks", "[]")).ok());
  CHECK(unit.spilled() == 0);
  Entry scratch;
  Result<const Entry*> read = unit.Get(0, &scratch);
  REQUIRE(read.ok());
  CHECK(*read != &scratch);
  CHECK((*read)->key == "tasks");
}

TEST_CASE("UnitEntries: a value larger than the budget goes to the file at once",
          "[agent][run][memory]") {
  UnitEntries unit(/*memory_budget=*/1024);
  REQUIRE(unit.Add(Make("big", std::string(4096, 'y'))).ok());
  REQUIRE(unit.Add(Make("small", "1")).ok());
  CHECK(unit.spilled() == 2);  // after one spilled entry, every later one goes to the file
  Entry scratch;
  CHECK((*unit.Get(0, &scratch))->value == std::string(4096, 'y'));
  CHECK((*unit.Get(1, &scratch))->value == "1");
}

TEST_CASE("UnitEntries: a temp folder that cannot be written is an error, not a lost unit",
          "[agent][run][memory]") {
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", "/nonexistent/ferry-no-such-folder", 1);
  UnitEntries unit(/*memory_budget=*/0);
  Status added = unit.Add(Make("k", "1"));
  if (old) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  REQUIRE(added.IsIOError());
  CHECK(added.message().find("TMPDIR") != std::string::npos);
}

TEST_CASE("UnitEntries: a spilled entry is found from a kept offset or from the last read",
          "[agent][run][memory]") {
  // Only every kSpillStride-th offset is kept (issue 15 item 8: 8 bytes a key were kept
  // before): forward reads, a key then its value, a jump back and jumps across strides all
  // find the entry asked for.
  constexpr size_t kCount = UnitEntries::kSpillStride * 2 + 777;
  UnitEntries unit(/*memory_budget=*/0);
  std::vector<Entry> given;
  for (size_t i = 0; i < kCount; ++i) {
    given.push_back(Make("k" + std::to_string(i), std::string(i % 50, 'v') + std::to_string(i)));
    REQUIRE(unit.Add(given.back()).ok());
  }
  REQUIRE(unit.spilled() == kCount);
  Entry scratch;
  for (size_t i = 0; i < kCount; ++i) {
    Result<const Entry*> keyed = unit.Get(i, &scratch, /*with_value=*/false);
    REQUIRE(keyed.ok());
    REQUIRE((*keyed)->key == given[i].key);
    CHECK((*keyed)->value.empty());
    if (i % 3 == 0) {  // the same entry again, with its value
      Result<const Entry*> read = unit.Get(i, &scratch);
      REQUIRE(read.ok());
      REQUIRE((*read)->value == given[i].value);
    }
  }
  for (size_t i :
       {kCount - 1, size_t{0}, UnitEntries::kSpillStride, UnitEntries::kSpillStride - 1, kCount / 2,
        kCount / 2 - 5, size_t{5000}, UnitEntries::kSpillStride * 2, size_t{1}, kCount - 2}) {
    Result<const Entry*> read = unit.Get(i, &scratch);
    REQUIRE(read.ok());
    CheckSame(**read, given[i]);
  }
}

}  // namespace ferry::unit_entries_test
