#include "extractors/chromium/log_source.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "tests/extractors/chromium/log_builder.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::chromium::log_source_test {
namespace {

using testing::Batch;
using testing::BuildLog;
using testing::TempDir;
using testing::TestOperation;

// Every key's newest value in `dir`'s logs, as ReadLogs yields them ("<deleted>" for a delete).
std::map<std::string, std::string> ReadAll(const std::string& dir,
                                           const std::vector<std::string>& names,
                                           std::vector<std::string>* reports,
                                           uint64_t memory_budget = kKeyIndexMemoryBudget) {
  Result<std::unique_ptr<SortedSource>> source = ReadLogs(
      dir, "store", names,
      [reports](const Location& where, const Status& problem) {
        reports->push_back(where.ToString() + ": " + problem.ToString());
      },
      memory_budget);
  REQUIRE(source.ok());
  std::map<std::string, std::string> read;
  std::string last_key;
  for (SortedSource& s = **source; s.Valid(); s.Next()) {
    CHECK((read.empty() || last_key < s.user_key()));  // in key order, each key once
    last_key = std::string(s.user_key());
    read[std::string(s.user_key())] = s.deletion() ? "<deleted>" : std::string(s.value());
    CHECK(s.where().file.rfind("store/", 0) == 0);
  }
  return read;
}

TEST_CASE("ReadLogs: values read again from the log, across fragments and blocks",
          "[extractors][chromium][memory]") {
  // The default budget holds every key in memory; 4 KiB spills the index to many runs.
  // as<>: with an lvalue first, Catch deduces a generator of references, and the second
  // value's temporary dies with the generating lambda (AddressSanitizer: stack-use-after-return).
  uint64_t memory_budget = GENERATE(as<uint64_t>{}, kKeyIndexMemoryBudget, 4096);
  TempDir dir;
  // One batch of 3,000 operations (~100 KiB: FIRST, MIDDLE and LAST fragments, values crossing
  // block boundaries), one value larger than a block, then overwrites and a delete in a second
  // log.
  std::vector<TestOperation> many;
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 3000; ++i) {
    std::string key = "k" + std::to_string(i);
    std::string value = "value-" + std::to_string(i * 7919) + std::string(i % 23, 'v');
    many.push_back({false, key, value});
    expected[key] = value;
  }
  std::string big(100000, 'b');
  for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
  dir.Write("000003.log", BuildLog({Batch(1, many), Batch(3001, {{false, "big", big}}),
                                    Batch(3002, {{false, "", ""}})}));
  expected["big"] = big;
  expected[""] = "";
  dir.Write("000005.log", BuildLog({Batch(4000, {{false, "k1", "newer"}, {true, "k2", ""}}),
                                    // An older sequence applied later does not win.
                                    Batch(2, {{false, "k3", "older sequence"}})}));
  expected["k1"] = "newer";
  expected["k2"] = "<deleted>";

  std::vector<std::string> reports;
  std::map<std::string, std::string> read =
      ReadAll(dir.path(), {"000003.log", "000005.log"}, &reports, memory_budget);
  CHECK(reports.empty());
  CHECK(read.size() == expected.size());
  for (const auto& [key, value] : expected) {
    INFO(key);
    CHECK(read[key] == value);
  }
}

}  // namespace
}  // namespace ferry::chromium::log_source_test
