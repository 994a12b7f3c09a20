#include "extractors/dump/json_scan.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry::json_scan_test {
namespace {

// simdjson's DOM parser validates the whole text (strict JSON, UTF-8): the scanner must agree
// on every text without \u escapes (which the DOM also decodes, refusing lone surrogates).
bool SimdjsonAccepts(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  return parser.parse(text).get(element) == simdjson::SUCCESS;
}

TEST_CASE("IsStrictJson: agrees with simdjson's full parse", "[extractors][dump][json_scan]") {
  std::vector<std::string> texts = {
      "{}", "[]", " {\"a\": \"b\"} ", "{\"a\":{\"k\":\"v\",\"k2\":[1,-2.5e+3,true,false,null]}}",
      "{\"a\":\"x\\n\\\"\\\\\\/\"}", "\"s\"", "0", "-0.1", "1E5", "[[[]]]", "{\"a\":{}}",
      // refused
      "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}",
      "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":tru}",
      "{\"a\":nul}", "{\"a\":\"\\x\"}", "{\"a\":\"\x01\"}", "{\"a\":\"b}", "{} {}", "{}x",
      "{\"a\":1}}", "[1]]", "{\"a\":\"\xff\"}", "{\"a\" \"b\"}", "{,}", "[,1]", "{\"a\":[}",
      "{\"\xc3\xa9\":\"\xe2\x82\xac\"}", "{\"a\":\"\xed\xa0\x80\"}"};
  for (const std::string& text : texts) {
    size_t members = 0;
    INFO(text);
    CHECK(IsStrictJson(text, 1024, &members) == SimdjsonAccepts(text));
  }
}

TEST_CASE("IsStrictJson: counts members, takes unpaired surrogate escapes, bounds the depth",
          "[extractors][dump][json_scan]") {
  size_t members = 0;
  CHECK(IsStrictJson(R"({"a":{"k":"\ud800","k2":"v"},"b":{}})", 1024, &members));
  CHECK(members == 4);
  CHECK_FALSE(IsStrictJson(R"({"a":"\u12"})", 1024, &members));
  CHECK(IsStrictJson("[[[1]]]", 3, &members));
  CHECK_FALSE(IsStrictJson("[[[[1]]]]", 3, &members));
}

TEST_CASE("IsJsonGrammar: names the first byte at fault and why, with no index of the text",
          "[extractors][dump][json_scan][corrupt]") {
  // A damaged dump was walked by simdjson's On-Demand API to name its fault, which indexes the
  // whole text (~4 bytes a byte, issue 15 item 8); the scanner names it on its own.
  struct Case {
    std::string text;
    size_t offset;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"", 0, "ends where a value should be"},
      {"{\"a\":\"1\",\n\"b\":\"tru", 14, "not closed"},
      {R"({"a":"1" "b":"2"})", 9, "expected ',' or '}'"},
      {R"({"a" "b"})", 5, "followed by ':'"},
      {R"({,})", 1, "must start with a key"},
      {R"({"a":tru})", 5, "not a JSON value"},
      {R"([1 2])", 3, "expected ',' or ']'"},
      {R"({"a":"1"} x)", 10, "more content"},
      {R"({"a":[1,)", 8, "ends where a value should be"},
      {R"({"a":[1)", 7, "ends inside an array"},
      {"{\"k\":\"ab\xC3\x28\"}", 8, "UTF-8"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    size_t members = 0;
    JsonScanError error;
    REQUIRE_FALSE(IsJsonGrammar(c.text, 1024, &members, &error));
    CHECK(error.offset == c.offset);
    CHECK_THAT(std::string(error.reason), Catch::Contains(c.reason));
  }
  // A string's contents are its decoder's to judge: the grammar holds.
  size_t members = 0;
  JsonScanError error;
  CHECK(IsJsonGrammar("{\"a\":\"\\x\",\"b\":\"\x01\"}", 1024, &members, &error));
  CHECK(members == 2);
}

TEST_CASE("IsJsonGrammar: tells the caller how far each of its two passes has gone",
          "[extractors][dump][json_scan]") {
  std::string text = "[\"" + std::string(40 << 20, 'x') + "\"," + std::string(20 << 20, ' ') + "1]";
  std::vector<size_t> passed;
  size_t members = 0;
  JsonScanError error;
  REQUIRE(IsJsonGrammar(text, 8, &members, &error, [&](size_t at) { passed.push_back(at); }));
  // Two passes (UTF-8, then the grammar), each moving forward.
  REQUIRE(passed.size() >= 4);
  int restarts = 0;
  for (size_t i = 1; i < passed.size(); ++i) restarts += passed[i] < passed[i - 1] ? 1 : 0;
  CHECK(restarts == 1);
  CHECK(passed.back() <= text.size());
}

TEST_CASE("SkipJsonValue: ends each value where the next token starts",
          "[extractors][dump][json_scan]") {
  std::string text = R"({"a":"x\"}","b":[1,{"c":"]"}],"n":-12.5e3,"t":true})";
  REQUIRE(SkipJsonString(text, 1) == 4);
  CHECK(SkipJsonValue(text, 5) == 11);  // "x\"}"
  CHECK(text.substr(16, SkipJsonValue(text, 16) - 16) == R"([1,{"c":"]"}])");
  size_t number = text.find("-12");
  CHECK(text.substr(number, SkipJsonValue(text, number) - number) == "-12.5e3");
  size_t word = text.find("true");
  CHECK(text.substr(word, SkipJsonValue(text, word) - word) == "true");
  CHECK(SkipJsonValue(text, 0) == text.size());
}

TEST_CASE("SkipJsonString: the closing quote found past escapes at every place of a word",
          "[extractors][dump][json_scan]") {
  // An escaped quote or backslash, or a raw control byte (not judged here), at each offset of
  // a long string, then the closing quote at each offset; what follows is never reached.
  for (size_t at = 0; at < 24; ++at) {
    for (const char* special : {"\\\"", "\\\\", "\t"}) {
      for (size_t tail = 0; tail < 10; ++tail) {
        std::string body = std::string(at, 'a') + special + std::string(tail, 'b');
        std::string text = "\"" + body + "\",\"next\"";
        INFO("at " << at << ", tail " << tail);
        REQUIRE(SkipJsonString(text, 0) == body.size() + 2);
        REQUIRE(SkipJsonValue(text, 0) == body.size() + 2);
      }
    }
  }
  // Cut short: the end of the text is passed, as before, not read beyond.
  CHECK(SkipJsonString("\"abc", 0) == 5);
  CHECK(SkipJsonString("\"abcdefghijk\\", 0) >= 14);
}

}  // namespace
}  // namespace ferry::json_scan_test
