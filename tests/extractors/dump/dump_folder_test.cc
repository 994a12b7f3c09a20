#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "extractors/dump/dump_extractor.h"
#include "tests/extractors/extractor_test_util.h"
#include "tests/test_paths.h"

namespace ferry::dump_folder_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::FirstFailure;
using testing::TempDir;

Drained DrainDump(const std::string& path) {
  return Drain(MakeDumpExtractor(SourceSpec{"dump", path, {}}));
}

TEST_CASE("DumpExtractor: a folder of dumps yields one unit per file in name order",
          "[extractors][dump]") {
  TempDir dir;
  std::string folder = dir.Folder("dumps");
  dir.Write("dumps/user-2.json", R"({"k":"two","j":"two-b"})");
  dir.Write("dumps/user-10.json", R"({"k":"ten"})");
  dir.Write("dumps/user-1.json", R"({"http://a":{"k":"one"}})");
  dir.Write("dumps/notes.txt", "not a dump");
  dir.Write("dumps/.hidden.json", R"({"k":"hidden"})");
  dir.Folder("dumps/sub.json");
  Drained got = DrainDump(folder);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 4);
  // Byte order of names: "user-1" < "user-10" < "user-2".
  CHECK(got.entries[0].value == "one");
  CHECK(got.entries[0].user_hint == "user-1");
  CHECK(got.entries[0].origin == "http://a");
  CHECK(got.entries[0].unit == folder + "/user-1.json");
  CHECK(got.entries[1].value == "ten");
  CHECK(got.entries[1].user_hint == "user-10");
  CHECK(got.entries[2].value == "two");
  CHECK(got.entries[3].value == "two-b");
  CHECK(got.entries[2].unit == got.entries[3].unit);
  CHECK(got.entries[3].user_hint == "user-2");
  CHECK(got.entries[3].where.file == folder + "/user-2.json");
  CHECK(got.size.units == 3);
  CHECK(got.size.bytes == 23 + 11 + 24);
}

TEST_CASE("DumpExtractor: a corrupt dump in a folder is reported and the next file read",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string folder = dir.Folder("dumps");
  dir.Write("dumps/a.json", R"({"k":"a"})");
  std::string bad = dir.Write("dumps/b.json", R"({"k":"b",)");
  dir.Write("dumps/c.json", R"({"k":"c"})");
  Drained got = DrainDump(folder);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 2);
  CHECK(got.entries[0].value == "a");
  CHECK(got.entries[1].value == "c");
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == bad);
  CHECK(got.reports[0].problem.IsCorruption());
  CHECK_THAT(got.reports[0].problem.message(), Catch::Contains("b.json"));
}

TEST_CASE("DumpExtractor: a folder without *.json files is NotFound naming it",
          "[extractors][dump][corrupt]") {
  TempDir dir;
  std::string folder = dir.Folder("empty");
  dir.Write("empty/readme.txt", "x");
  Status failure = FirstFailure(DrainDump(folder));
  REQUIRE(failure.IsNotFound());
  CHECK_THAT(failure.message(), Catch::Contains(folder));
}

TEST_CASE("DumpExtractor: the generator's folder of per-user dumps reads",
          "[extractors][dump][generator]") {
  const std::string generator =
      std::string(FERRY_SOURCE_DIR) + "/../shared/peers/gen/gen_taskapp.py";
  if (!std::filesystem::exists(generator) || std::system("python3 --version >/dev/null 2>&1")) {
    WARN("python3 or the generator is missing; skipped");
    return;
  }
  TempDir dir;
  std::string command = "python3 " + generator + " --users 3 --tasks 300 --seed 1 --out " +
                        dir.path() + "/gen >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  Drained got = DrainDump(dir.path() + "/gen/dumps");
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  CHECK(got.size.units == 3);
  REQUIRE_FALSE(got.entries.empty());
  CHECK(got.entries.front().user_hint == "user-00001");
  CHECK(got.entries.back().user_hint == "user-00003");
  int tasks_keys = 0;
  for (const Entry& entry : got.entries) {
    CHECK(entry.origin.empty());
    if (entry.key == "tasks") {
      ++tasks_keys;
      CHECK(entry.value.front() == '[');
    }
  }
  CHECK(tasks_keys == 3);
}

}  // namespace
}  // namespace ferry::dump_folder_test
