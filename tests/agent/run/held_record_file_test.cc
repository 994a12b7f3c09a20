#include "agent/run/held_record_file.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::held_record_file_test {

namespace {

HeldRecord Numbered(int i) {
  HeldRecord record;
  // Some records larger than the file's 256 KiB buffers, so that one crosses their edges.
  record.json = "{\"id\": \"t" + std::to_string(i) + "\", \"pad\": \"" +
                std::string(i % 97 == 0 ? 300000 : i % 50, 'x') + "\"}";
  record.legacy_id = "t" + std::to_string(i);
  for (int p = 0; p < i % 3; ++p) record.parents.push_back("t" + std::to_string(i + p + 1));
  record.time_ms = i % 2 ? -1 : i * 1000;
  record.where.file = "dump.json";
  record.where.offset = i * 10;
  record.where.origin = "https://a.test";
  record.where.key = "k" + std::to_string(i);
  record.where.index = i % 4;
  record.header.unit = "dump.json";
  record.header.origin = "https://a.test";
  record.header.key = "k" + std::to_string(i);
  record.header.lossy = i % 5 == 0;
  record.header.lossy_detail = record.header.lossy ? "unpaired surrogate" : "";
  record.header.overridden = i % 7;
  record.key_suffix = std::to_string(i);
  return record;
}

void CheckSame(const HeldRecord& read, const HeldRecord& put) {
  CHECK(read.json == put.json);
  CHECK(read.legacy_id == put.legacy_id);
  CHECK(read.parents == put.parents);
  CHECK(read.time_ms == put.time_ms);
  CHECK(read.where.ToString() == put.where.ToString());
  CHECK(read.where.index == put.where.index);
  CHECK(read.header.unit == put.header.unit);
  CHECK(read.header.origin == put.header.origin);
  CHECK(read.header.key == put.header.key);
  CHECK(read.header.lossy == put.header.lossy);
  CHECK(read.header.lossy_detail == put.header.lossy_detail);
  CHECK(read.header.overridden == put.header.overridden);
  CHECK(read.header.value.empty());
  CHECK(read.key_suffix == put.key_suffix);
}

}  // namespace

TEST_CASE("HeldRecordFile: records read back in order, again after a rewind, none after clear",
          "[agent][run]") {
  HeldRecordFile file;
  constexpr int kRecords = 2000;
  for (int i = 0; i < kRecords; ++i) REQUIRE(file.Add(Numbered(i)).ok());
  CHECK(file.size() == kRecords);
  for (int pass = 0; pass < 2; ++pass) {
    file.Rewind();
    HeldRecord record;
    for (int i = 0; i < kRecords; ++i) {
      Result<bool> more = file.Next(&record);
      REQUIRE(more.ok());
      REQUIRE(*more);
      CheckSame(record, Numbered(i));
    }
    Result<bool> end = file.Next(&record);
    REQUIRE(end.ok());
    CHECK_FALSE(*end);
  }
  REQUIRE(file.Clear().ok());
  CHECK(file.size() == 0);
  HeldRecord record;
  Result<bool> none = file.Next(&record);
  REQUIRE(none.ok());
  CHECK_FALSE(*none);
  REQUIRE(file.Add(Numbered(5)).ok());
  file.Rewind();
  Result<bool> one = file.Next(&record);
  REQUIRE(one.ok());
  REQUIRE(*one);
  CheckSame(record, Numbered(5));
}

}  // namespace ferry::held_record_file_test
