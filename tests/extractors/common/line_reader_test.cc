#include "extractors/common/line_reader.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::line_reader_test {
namespace {

using testing::TempDir;

std::vector<std::string> ReadAll(const std::string& path, size_t max_line, Status* failure) {
  LineReader reader(path, max_line);
  *failure = reader.Open();
  std::vector<std::string> lines;
  std::string line;
  while (failure->ok()) {
    Result<bool> more = reader.ReadLine(&line);
    if (!more.ok()) {
      *failure = more.status();
      break;
    }
    if (!*more) {
      break;
    }
    lines.push_back(line);
  }
  return lines;
}

TEST_CASE("LineReader: splits LF and CRLF lines, keeps empty ones, tracks offsets",
          "[extractors][common]") {
  TempDir dir;
  std::string path = dir.Write("l.txt", "a\r\n\nbc\rd\nlast");
  LineReader reader(path, 100);
  REQUIRE(reader.Open().ok());
  std::string line;
  std::vector<std::pair<std::string, int64_t>> got;
  while (*reader.ReadLine(&line)) {
    got.emplace_back(line, reader.line_offset());
  }
  CHECK(got ==
        std::vector<std::pair<std::string, int64_t>>{{"a", 0}, {"", 3}, {"bc\rd", 4}, {"last", 9}});
  CHECK(reader.line_number() == 4);
}

TEST_CASE("LineReader: a line across many buffer refills is whole", "[extractors][common]") {
  TempDir dir;
  std::string long_line(1'000'000, 'z');
  Status failure;
  auto lines = ReadAll(dir.Write("l.txt", "x\n" + long_line + "\ny\n"), 2'000'000, &failure);
  REQUIRE(failure.ok());
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == long_line);
}

TEST_CASE("LineReader: a line over the limit is Corruption naming file and line",
          "[extractors][common][corrupt]") {
  TempDir dir;
  Status failure;
  auto lines = ReadAll(dir.Write("l.txt", "ok\n0123456789\nnext\n"), 9, &failure);
  CHECK(lines == std::vector<std::string>{"ok"});
  REQUIRE(failure.IsCorruption());
  CHECK_THAT(failure.message(), Catch::Contains("l.txt:2:"));
  // Exactly at the limit is fine.
  auto exact = ReadAll(dir.Write("m.txt", "012345678\n"), 9, &failure);
  CHECK(failure.ok());
  CHECK(exact.size() == 1);
}

TEST_CASE("LineReader: an empty file has no lines; a missing one is NotFound; a folder refused",
          "[extractors][common][corrupt]") {
  TempDir dir;
  Status failure;
  CHECK(ReadAll(dir.Write("e.txt", ""), 10, &failure).empty());
  CHECK(failure.ok());
  ReadAll(dir.path() + "/none.txt", 10, &failure);
  CHECK(failure.IsNotFound());
  ReadAll(dir.path(), 10, &failure);
  CHECK_FALSE(failure.ok());
}

}  // namespace
TEST_CASE("LineReader: reads the file as it was when opened; one cut short is an error",
          "[extractors][common][faults]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "line " + std::to_string(i) + "\n";  // > 2 buffers
  std::string path = dir.Write("grows.ndjson", text);
  {
    LineReader reader(path, 100);
    REQUIRE(reader.Open().ok());
    std::string line;
    REQUIRE(*reader.ReadLine(&line));
    std::FILE* file = std::fopen(path.c_str(), "a");  // a writer appends while it is read
    std::fputs("appended\n", file);
    std::fclose(file);
    int64_t lines = 1;
    std::string last;
    while (*reader.ReadLine(&line)) {
      ++lines;
      last = line;
    }
    CHECK(lines == 100000);
    CHECK(last == "line 99999");  // the appended line is the next run's
  }
  path = dir.Write("shrinks.ndjson", text);
  LineReader reader(path, 100);
  REQUIRE(reader.Open().ok());
  std::string line;
  REQUIRE(*reader.ReadLine(&line));
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(text.size() / 2)) == 0);
  Result<bool> more = true;
  while (more.ok() && *more) more = reader.ReadLine(&line);
  REQUIRE_FALSE(more.ok());  // never a silent, early end
  CHECK(more.status().IsIOError());
  CHECK_THAT(more.status().message(), Catch::Contains("file shrank while being read"));
}

}  // namespace ferry::line_reader_test
