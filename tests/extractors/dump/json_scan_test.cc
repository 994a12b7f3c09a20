#include "extractors/dump/json_scan.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry {
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

}  // namespace
}  // namespace ferry
