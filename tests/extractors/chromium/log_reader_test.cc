#include "extractors/chromium/log_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/extractors/chromium/log_builder.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::chromium::log_reader_test {
namespace {

using testing::BuildLog;
using testing::Fragment;
using testing::Reported;
using testing::TempDir;

struct ReadBack {
  std::vector<std::string> records;
  std::vector<uint64_t> offsets;
  std::vector<Reported> reports;
  Status status;
};

ReadBack ReadLogBytes(const std::string& bytes) {
  TempDir dir;
  std::string path = dir.Write("000003.log", bytes);
  ReadBack back;
  Result<FileHandle> file = FileHandle::Open(path, "store/000003.log");
  REQUIRE(file.ok());
  LogReader reader(std::move(file).value(), [&back](const Location& where, const Status& problem) {
    back.reports.push_back({where, problem});
  });
  std::string record;
  uint64_t offset = 0;
  while (reader.ReadRecord(&record, &offset)) {
    back.records.push_back(record);
    back.offsets.push_back(offset);
  }
  CHECK_FALSE(reader.ReadRecord(&record, &offset));  // stays at the end, reports nothing more
  back.status = reader.status();
  return back;
}

std::vector<std::string> SomeRecords() {
  return {"first", std::string(100000, 'b'), "third", std::string(32768 - 7 - 7 - 5, 'd'), "e"};
}

TEST_CASE("LogReader: records, fragmented across blocks, come back whole with offsets",
          "[extractors][chromium][leveldb]") {
  std::vector<uint64_t> offsets;
  ReadBack back = ReadLogBytes(BuildLog(SomeRecords(), &offsets));
  CHECK(back.status.ok());
  CHECK(back.reports.empty());
  CHECK(back.records == SomeRecords());
  CHECK(back.offsets == offsets);
  ReadBack empty = ReadLogBytes("");
  CHECK(empty.records.empty());
  CHECK(empty.reports.empty());
}

TEST_CASE("LogReader: a torn last record is reported with its offset, the rest is read",
          "[extractors][chromium][leveldb][corrupt]") {
  std::vector<uint64_t> offsets;
  std::string log = BuildLog({"one", "two", std::string(50000, 'x')}, &offsets);
  ReadBack back = ReadLogBytes(log.substr(0, log.size() - 100));
  CHECK(back.records == std::vector<std::string>{"one", "two"});
  REQUIRE_FALSE(back.reports.empty());
  const Reported& last = back.reports.back();
  CHECK(last.where.file == "store/000003.log");
  CHECK(last.where.offset == static_cast<int64_t>(offsets[2]));
  CHECK(last.problem.IsCorruption());
  CHECK_THAT(last.problem.message(), Catch::Contains("torn write"));

  // Cut inside the header of a record.
  ReadBack in_header = ReadLogBytes(log.substr(0, offsets[1] + 3));
  CHECK(in_header.records == std::vector<std::string>{"one"});
  REQUIRE(in_header.reports.size() == 1);
  CHECK(in_header.reports[0].where.offset == static_cast<int64_t>(offsets[1]));
  CHECK_THAT(in_header.reports[0].problem.message(), Catch::Contains("record header"));
}

TEST_CASE("LogReader: a zeroed tail is reported, not passed over in silence",
          "[extractors][chromium][leveldb][corrupt]") {
  std::vector<uint64_t> offsets;
  std::string log = BuildLog({"one", "two"}, &offsets);
  size_t good = log.size();
  log.append(40000, '\0');
  ReadBack back = ReadLogBytes(log);
  CHECK(back.records == std::vector<std::string>{"one", "two"});
  REQUIRE(back.reports.size() == 1);
  CHECK(back.reports[0].where.offset == static_cast<int64_t>(good));
  CHECK_THAT(back.reports[0].problem.message(), Catch::Contains("zeroed"));
  CHECK_THAT(back.reports[0].problem.message(), Catch::Contains("40000 bytes dropped"));
}

TEST_CASE("LogReader: a checksum mismatch drops the rest of its block, later blocks are read",
          "[extractors][chromium][leveldb][corrupt]") {
  std::vector<uint64_t> offsets;
  std::vector<std::string> records = {"one", "two", std::string(40000, 'x'), "four"};
  std::string log = BuildLog(records, &offsets);
  log[offsets[1] + 8] ^= 0x01;  // inside "two"
  ReadBack back = ReadLogBytes(log);
  // "two" and the first fragment of the big record share block 0; the big record's later
  // fragment continues a lost record; "four" is whole.
  CHECK(back.records == std::vector<std::string>{"one", "four"});
  REQUIRE(back.reports.size() >= 2);
  CHECK(back.reports[0].where.offset == static_cast<int64_t>(offsets[1]));
  CHECK_THAT(back.reports[0].problem.message(), Catch::Contains("checksum mismatch"));
  CHECK_THAT(back.reports[1].problem.message(), Catch::Contains("whose start was lost"));
}

TEST_CASE("LogReader: hostile fragments (bad length, unknown type, stray last) are reported",
          "[extractors][chromium][leveldb][corrupt]") {
  // A full block whose header claims more than the block holds, then a good record.
  std::string bad_length = Fragment(kFullType, "ok");
  bad_length[4] = '\xff';
  bad_length[5] = '\x7f';
  bad_length.resize(kLogBlockSize, 'z');
  ReadBack back = ReadLogBytes(bad_length + BuildLog({"after"}));
  CHECK(back.records == std::vector<std::string>{"after"});
  REQUIRE(back.reports.size() == 1);
  CHECK_THAT(back.reports[0].problem.message(), Catch::Contains("bad fragment length"));

  ReadBack unknown = ReadLogBytes(Fragment(9, "what") + Fragment(kFullType, "next"));
  CHECK(unknown.records == std::vector<std::string>{"next"});
  REQUIRE(unknown.reports.size() == 1);
  CHECK_THAT(unknown.reports[0].problem.message(), Catch::Contains("unknown fragment type 9"));

  ReadBack stray = ReadLogBytes(Fragment(kLastType, "tail") + Fragment(kFirstType, "a") +
                                Fragment(kFullType, "b"));
  CHECK(stray.records == std::vector<std::string>{"b"});
  REQUIRE(stray.reports.size() == 2);
  CHECK_THAT(stray.reports[0].problem.message(), Catch::Contains("whose start was lost"));
  CHECK_THAT(stray.reports[1].problem.message(), Catch::Contains("incomplete"));
  CHECK(stray.reports[1].where.offset == 11);

  ReadBack garbage = ReadLogBytes("\x01\x02\x03");
  CHECK(garbage.records.empty());
  REQUIRE(garbage.reports.size() == 1);
  CHECK(garbage.reports[0].where.offset == 0);
}

}  // namespace
}  // namespace ferry::chromium::log_reader_test
