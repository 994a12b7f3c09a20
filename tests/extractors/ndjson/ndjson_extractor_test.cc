#include "extractors/ndjson/ndjson_extractor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/extractors/extractor_test_util.h"
#include "tests/test_paths.h"

namespace ferry::ndjson_extractor_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::FirstFailure;
using testing::TempDir;

Drained DrainNdjson(const std::string& path) {
  return Drain(MakeNdjsonExtractor(SourceSpec{"ndjson", path, {}}));
}

TEST_CASE("NdjsonExtractor: one record per line, blank lines skipped, CRLF tolerated",
          "[extractors][ndjson]") {
  TempDir dir;
  std::string path =
      dir.Write("events.ndjson", "{\"n\":1}\r\n\r\n   \n{\"n\":2}\n\t\n[3]\r\n{\"n\":4}");
  Drained got = DrainNdjson(path);
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  REQUIRE(got.entries.size() == 4);
  CHECK(got.entries[0].value == "{\"n\":1}");
  CHECK(got.entries[0].where.line == 1);
  CHECK(got.entries[0].where.offset == 0);
  CHECK(got.entries[1].value == "{\"n\":2}");
  CHECK(got.entries[1].where.line == 4);
  CHECK(got.entries[1].where.offset == 15);
  CHECK(got.entries[2].value == "[3]");
  CHECK(got.entries[2].where.line == 6);
  CHECK(got.entries[3].value == "{\"n\":4}");  // no newline at the end
  CHECK(got.entries[3].where.line == 7);
  for (const Entry& entry : got.entries) {
    CHECK(entry.key == "events");
    CHECK(entry.shape == EntryShape::kRecord);
    CHECK(entry.unit == path);
    CHECK(entry.where.file == path);
  }
  CHECK(got.size.units == 1);
}

TEST_CASE("NdjsonExtractor: a folder of .ndjson and .jsonl files, in name order",
          "[extractors][ndjson]") {
  TempDir dir;
  std::string folder = dir.Folder("in");
  dir.Write("in/b.jsonl", "{\"f\":\"b\"}\n");
  dir.Write("in/a.ndjson", "{\"f\":\"a\"}\n{\"f\":\"a2\"}\n");
  dir.Write("in/c.txt", "{\"f\":\"c\"}\n");
  Drained got = DrainNdjson(folder);
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 3);
  CHECK(got.entries[0].key == "a");
  CHECK(got.entries[1].where.line == 2);
  CHECK(got.entries[2].key == "b");
  CHECK(got.size.units == 2);
}

TEST_CASE("NdjsonExtractor: the generator's dumps.ndjson reads one record per user",
          "[extractors][ndjson][generator]") {
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
  Drained got = DrainNdjson(dir.path() + "/gen/dumps.ndjson");
  REQUIRE(FirstFailure(got).ok());
  CHECK(got.reports.empty());
  REQUIRE(got.entries.size() == 3);
  CHECK_THAT(got.entries[0].value, Catch::StartsWith("{\"userId\":\"user-00001\""));
}

// --- hostile input -------------------------------------------------------------------------

TEST_CASE("NdjsonExtractor: a line that is not JSON is reported with file:line, others kept",
          "[extractors][ndjson][corrupt]") {
  TempDir dir;
  std::string path = dir.Write("x.ndjson", "{\"n\":1}\n{\"n\":\n{\"n\":3}\n{\"s\":\"\\ud800\"}\n");
  Drained got = DrainNdjson(path);
  REQUIRE(FirstFailure(got).ok());
  // A lone surrogate escape or a number beyond a double is read as migrate reads it
  // (transformers/json_records.h: U+FFFD, the number's text), not reported.
  REQUIRE(got.entries.size() == 3);
  CHECK(got.entries[1].where.line == 3);
  CHECK(got.entries[2].where.line == 4);
  REQUIRE(got.reports.size() == 1);
  CHECK(got.reports[0].where.file == path);
  CHECK(got.reports[0].where.line == 2);
  CHECK(got.reports[0].where.offset == 8);
  CHECK(got.reports[0].problem.IsCorruption());
  CHECK_THAT(got.reports[0].problem.message(), Catch::StartsWith(path + ":2: "));
}

TEST_CASE("NdjsonExtractor: two records on one line are reported",
          "[extractors][ndjson][corrupt]") {
  TempDir dir;
  Drained got = DrainNdjson(dir.Write("x.ndjson", "{\"a\":1} {\"b\":2}\n{\"c\":3}\n"));
  CHECK(got.entries.size() == 1);
  CHECK(got.reports.size() == 1);
}

TEST_CASE("NdjsonExtractor: malformed UTF-8, NUL bytes and a 100,000-deep line are reported",
          "[extractors][ndjson][corrupt]") {
  TempDir dir;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string text = std::string("{\"a\":\"\xC3\x28\"}\n") + std::string("{\"a\":\0}\n", 8) + deep +
                     "\n{\"ok\":true}\n";
  Drained got = DrainNdjson(dir.Write("x.ndjson", text));
  REQUIRE(FirstFailure(got).ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].where.line == 4);
  REQUIRE(got.reports.size() == 3);
  CHECK_THAT(got.reports[2].problem.message(), Catch::Contains("too deep"));
}

TEST_CASE("NdjsonExtractor: a line longer than 64 MiB is Corruption naming the line",
          "[extractors][ndjson][corrupt]") {
  TempDir dir;
  std::string path = dir.path() + "/huge.ndjson";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"n\":1}\n\"";
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 65; ++i) {
      out << chunk;
    }
    out << "\"\n{\"n\":3}\n";
  }
  Drained got = DrainNdjson(path);
  CHECK(got.entries.size() == 1);
  Status failure = FirstFailure(got);
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains("huge.ndjson:2:"));
}

TEST_CASE("NdjsonExtractor: an empty file yields nothing, a missing one is NotFound",
          "[extractors][ndjson][corrupt]") {
  TempDir dir;
  Drained empty = DrainNdjson(dir.Write("e.ndjson", ""));
  CHECK(FirstFailure(empty).ok());
  CHECK(empty.entries.empty());
  Status missing = FirstFailure(DrainNdjson(dir.path() + "/gone.ndjson"));
  REQUIRE(missing.IsNotFound());
  CHECK_THAT(missing.message(), Catch::Contains("gone.ndjson"));
}

TEST_CASE("NdjsonExtractor: permission denied is IOError", "[extractors][ndjson][corrupt]") {
  if (::geteuid() == 0) {
    WARN("running as root: chmod 000 does not stop reads; permission check skipped");
    return;
  }
  TempDir dir;
  std::string path = dir.Write("locked.ndjson", "{\"n\":1}\n");
  REQUIRE(::chmod(path.c_str(), 0) == 0);
  Status failure = FirstFailure(DrainNdjson(path));
  CHECK(failure.IsIOError());
  CHECK_THAT(failure.message(), Catch::Contains("locked.ndjson"));
}

TEST_CASE("NdjsonExtractor: a FIFO is refused without hanging", "[extractors][ndjson][corrupt]") {
  TempDir dir;
  std::string path = dir.path() + "/pipe.ndjson";
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  Status failure = FirstFailure(DrainNdjson(path));
  CHECK(failure.IsInvalidArgument());
}

}  // namespace
}  // namespace ferry::ndjson_extractor_test
