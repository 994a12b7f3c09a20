#include "agent/run/reject_sink.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/e2e_util.h"

namespace ferry::reject_sink_test {

TEST_CASE("RejectSink: no reject, no file", "[agent][reject_sink]") {
  e2e::TempDir dir;
  RejectSink sink(dir / "r.ndjson", "RUN");
  REQUIRE(sink.Close().ok());
  CHECK_FALSE(std::filesystem::exists(dir / "r.ndjson"));
  CHECK(sink.written_path().empty());
}

TEST_CASE("RejectSink: one valid JSON line per reject, with place and reason",
          "[agent][reject_sink]") {
  e2e::TempDir dir;
  RejectSink sink(dir / "r.ndjson", "RUN");
  Reject reject;
  reject.entity = "tasks";
  reject.where.file = "a\"b.json";
  reject.where.key = "tasks";
  reject.where.index = 8;
  reject.where.pointer = "/createdAt";
  reject.reason = "createdAt is not a date\nsecond line";
  reject.value = "\"2024-13-45\"";
  REQUIRE(sink.Write("user-1", reject).ok());
  reject.value.reset();
  REQUIRE(sink.Write("user-2", reject).ok());
  REQUIRE(sink.Close().ok());
  std::ifstream in(dir / "r.ndjson");
  std::string line;
  simdjson::dom::parser parser;
  int lines = 0;
  while (std::getline(in, line)) {
    simdjson::dom::element e = parser.parse(line);
    CHECK(std::string_view(e["file"]) == "a\"b.json");
    CHECK(int64_t(e["index"]) == 8);
    CHECK(std::string_view(e["pointer"]) == "/createdAt");
    CHECK(std::string_view(e["run_id"]) == "RUN");
    ++lines;
  }
  CHECK(lines == 2);
}

TEST_CASE("RejectSink: an unwritable path is an IOError naming it", "[agent][reject_sink]") {
  RejectSink sink("/proc/ferry/nope.ndjson", "RUN");
  Status status = sink.Write("u", Reject{});
  CHECK(status.IsIOError());
  CHECK(status.message().find("/proc/ferry/nope.ndjson") != std::string::npos);
}

}  // namespace ferry::reject_sink_test
