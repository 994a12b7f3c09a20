#include "agent/ulid_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "transformers/ulid.h"

namespace ferry::ulid_command_test {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Parses `args` (without the program name) with `ferry ulid` registered, capturing stdout and
// stderr; a CLI11 parse error is returned as 100 + its exit code.
int ParseWithCli(std::vector<std::string> args, std::string* captured_out,
                 std::string* captured_err = nullptr) {
  CLI::App app("ferry");
  int exit_code = -1;
  AddUlidCommand(app, &exit_code);
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  std::ostringstream out, err;
  std::streambuf* saved_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* saved_err = std::cerr.rdbuf(err.rdbuf());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    exit_code = 100 + e.get_exit_code();
  }
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  *captured_out = out.str();
  if (captured_err != nullptr) *captured_err = err.str();
  return exit_code;
}

TEST_CASE("ParseUlidTime: RFC 3339 and epoch milliseconds", "[agent][ulid]") {
  CHECK(*ParseUlidTime("2016-07-30T22:36:16.385Z") == 1469918176385);
  CHECK(*ParseUlidTime("1469918176385") == 1469918176385);
  CHECK(*ParseUlidTime("0") == 0);
  CHECK(*ParseUlidTime("281474976710655") == kUlidMaxTime);
}

TEST_CASE("ParseUlidTime: bad, negative and too large times", "[agent][ulid]") {
  for (std::string_view text :
       {"", "-5", "+5", "12.5", "1e12", "yesterday", "2023-02-30T00:00:00Z", "281474976710656",
        "99999999999999999999999", "1969-12-31T23:59:59Z"}) {
    INFO(text);
    Result<uint64_t> time = ParseUlidTime(text);
    REQUIRE_FALSE(time.ok());
    CHECK(time.status().IsInvalidArgument());
  }
  CHECK_THAT(ParseUlidTime("1969-12-31T23:59:59Z").status().message(),
             Catch::Contains("before 1970"));
}

TEST_CASE("RunUlidGenerate: count and fixed time give sorted ULIDs of that time", "[agent][ulid]") {
  std::ostringstream out, err;
  REQUIRE(RunUlidGenerate("500", std::string("2016-07-30T22:36:16.385Z"), out, err) == 0);
  CHECK(err.str().empty());
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 500);
  for (size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(lines[i].substr(0, 10) == "01ARYZ6S41");
    if (i > 0) REQUIRE(lines[i - 1] < lines[i]);
  }
}

TEST_CASE("RunUlidGenerate: without a time, one current ULID", "[agent][ulid]") {
  std::ostringstream out, err;
  const uint64_t before = UlidGenerator::NowMillis();
  REQUIRE(RunUlidGenerate("1", std::nullopt, out, err) == 0);
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 1);
  Result<Ulid> ulid = DecodeUlid(lines[0]);
  REQUIRE(ulid.ok());
  CHECK(ulid->time_ms() >= before);
  CHECK(ulid->time_ms() <= UlidGenerator::NowMillis());
}

TEST_CASE("RunUlidGenerate: many current ULIDs are strictly increasing", "[agent][ulid]") {
  std::ostringstream out, err;
  REQUIRE(RunUlidGenerate("20000", std::nullopt, out, err) == 0);
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 20000);
  for (size_t i = 1; i < lines.size(); ++i) REQUIRE(lines[i - 1] < lines[i]);
}

TEST_CASE("RunUlidGenerate: count 0 prints nothing", "[agent][ulid]") {
  std::ostringstream out, err;
  CHECK(RunUlidGenerate("0", std::nullopt, out, err) == 0);
  CHECK(out.str().empty());
}

TEST_CASE("RunUlidGenerate: bad count or time is a usage error", "[agent][ulid]") {
  for (std::string_view count : {"-1", "abc", "", "1.5", "99999999999999999999999"}) {
    std::ostringstream out, err;
    CHECK(RunUlidGenerate(count, std::nullopt, out, err) == 2);
    CHECK(out.str().empty());
    CHECK_THAT(err.str(), Catch::Contains("--count"));
  }
  std::ostringstream out, err;
  CHECK(RunUlidGenerate("3", std::string("2023-13-45"), out, err) == 2);
  CHECK(out.str().empty());
  CHECK_THAT(err.str(), Catch::Contains("\"2023-13-45\""));
}

TEST_CASE("RunUlidDecode: prints time and random bits", "[agent][ulid]") {
  std::ostringstream out, err;
  REQUIRE(RunUlidDecode("01ARYZ6S41TSV4RRFFQ69G5FAV", out, err) == 0);
  CHECK(out.str() ==
        "time_ms=1469918176385 time=2016-07-30T22:36:16.385Z random=d6764c61efb99302bd5b\n");
  CHECK(err.str().empty());
}

TEST_CASE("RunUlidDecode: lowercase decodes as uppercase", "[agent][ulid]") {
  std::ostringstream upper, lower, err;
  REQUIRE(RunUlidDecode("01ARYZ6S41TSV4RRFFQ69G5FAV", upper, err) == 0);
  REQUIRE(RunUlidDecode("01aryz6s41tsv4rrffq69g5fav", lower, err) == 0);
  CHECK(upper.str() == lower.str());
}

TEST_CASE("RunUlidDecode: a bad ULID names it and the bad character", "[agent][ulid]") {
  std::ostringstream out, err;
  CHECK(RunUlidDecode("01ARYZ6S41TSV4RRFFQ69G5FAU", out, err) == 2);
  CHECK(out.str().empty());
  CHECK_THAT(err.str(), Catch::Contains("01ARYZ6S41TSV4RRFFQ69G5FAU") && Catch::Contains("'U'"));
}

TEST_CASE("RunUlidDecode: control characters are escaped in the message", "[agent][ulid]") {
  std::ostringstream out, err;
  CHECK(RunUlidDecode("\x1b[2J01ARYZ6S41TSV4RRFFQ69G", out, err) == 2);
  CHECK(err.str().find('\x1b') == std::string::npos);
  CHECK_THAT(err.str(), Catch::Contains("\\x1b[2J"));
}

TEST_CASE("RunUlidDecode: overflow and wrong length", "[agent][ulid]") {
  std::ostringstream out, err;
  CHECK(RunUlidDecode("8ZZZZZZZZZZZZZZZZZZZZZZZZZ", out, err) == 2);
  CHECK(RunUlidDecode("01ARYZ6S41", out, err) == 2);
  CHECK(out.str().empty());
  CHECK_THAT(err.str(), Catch::Contains("128 bits") && Catch::Contains("26 characters"));
}

TEST_CASE("RunUlidValidate: all valid is 0", "[agent][ulid]") {
  std::ostringstream out;
  CHECK(RunUlidValidate({"01ARYZ6S41TSV4RRFFQ69G5FAV", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"}, out) == 0);
  CHECK(out.str() == "01ARYZ6S41TSV4RRFFQ69G5FAV: ok\n7ZZZZZZZZZZZZZZZZZZZZZZZZZ: ok\n");
}

TEST_CASE("RunUlidValidate: one invalid among valid is 1, each reported", "[agent][ulid]") {
  std::ostringstream out;
  CHECK(RunUlidValidate({"01ARYZ6S41TSV4RRFFQ69G5FAV", "nope", "8ZZZZZZZZZZZZZZZZZZZZZZZZZ"},
                        out) == 1);
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "01ARYZ6S41TSV4RRFFQ69G5FAV: ok");
  CHECK_THAT(lines[1], Catch::StartsWith("\"nope\": invalid: ") && Catch::Contains("26"));
  CHECK_THAT(lines[2], Catch::StartsWith("\"8ZZZZZZZZZZZZZZZZZZZZZZZZZ\": invalid: "));
}

TEST_CASE("AddUlidCommand: decode through CLI11 sets the exit code", "[agent][ulid]") {
  std::string out;
  CHECK(ParseWithCli({"ulid", "decode", "01ARYZ6S41TSV4RRFFQ69G5FAV"}, &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("time_ms=1469918176385 "));
  std::string err;
  CHECK(ParseWithCli({"ulid", "decode", "01ARYZ6S41TSV4RRFFQ69G5FAU"}, &out, &err) == 2);
  CHECK(out.empty());
  CHECK_THAT(err, Catch::Contains("'U'"));
}

TEST_CASE("AddUlidCommand: generate with --count and --time", "[agent][ulid]") {
  std::string out;
  CHECK(ParseWithCli({"ulid", "generate", "--count", "3", "--time", "1469918176385"}, &out) == 0);
  const std::vector<std::string> lines = Lines(out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].substr(0, 10) == "01ARYZ6S41");
  std::string err;
  CHECK(ParseWithCli({"ulid", "generate", "--count", "x"}, &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("--count"));
  CHECK(ParseWithCli({"ulid", "generate", "--count=2"}, &out) == 0);
  CHECK(Lines(out).size() == 2);
}

TEST_CASE("AddUlidCommand: validate exit code is 1 when any is invalid", "[agent][ulid]") {
  std::string out;
  CHECK(ParseWithCli({"ulid", "validate", "01ARYZ6S41TSV4RRFFQ69G5FAV"}, &out) == 0);
  CHECK(ParseWithCli({"ulid", "validate", "01ARYZ6S41TSV4RRFFQ69G5FAV", "bad"}, &out) == 1);
  CHECK(Lines(out).size() == 2);
}

TEST_CASE("AddUlidCommand: missing subcommand or argument is a parse error", "[agent][ulid]") {
  std::string out;
  CHECK(ParseWithCli({"ulid"}, &out) > 100);
  CHECK(ParseWithCli({"ulid", "decode"}, &out) > 100);
  CHECK(ParseWithCli({"ulid", "validate"}, &out) > 100);
}

}  // namespace
}  // namespace ferry::ulid_command_test
