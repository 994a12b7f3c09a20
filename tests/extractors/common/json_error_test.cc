#include "extractors/common/json_error.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/common/text_position.h"

namespace ferry::json_error_test {
namespace {

TEST_CASE("JsonCorruption: names file, byte, line and column (in characters)",
          "[extractors][common]") {
  std::string text = "{\n  \"\xC3\xA9t\xC3\xA9\": x}";
  Status status = JsonCorruption("d.json", text, 12, simdjson::TAPE_ERROR);
  REQUIRE(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::StartsWith("d.json: byte 12 (line 2, column 9): "));
  CHECK(JsonCorruption("d.json", text, -1, "bad").message() == "d.json: bad");
}

TEST_CASE("TextPosition: locates increasing and decreasing offsets", "[extractors][common]") {
  std::string text = "ab\ncd\n\nef";
  TextPosition position(text);
  Location where;
  position.Locate(8, &where);
  CHECK(where.line == 4);
  CHECK(where.column == 2);
  position.Locate(1, &where);
  CHECK(where.line == 1);
  CHECK(where.column == 2);
  position.Locate(1000, &where);  // clamped to the end
  CHECK(where.offset == static_cast<int64_t>(text.size()));
  CHECK(where.line == 4);
}

TEST_CASE("FirstInvalidUtf8: finds overlongs, surrogates, truncations and stray bytes",
          "[extractors][common][corrupt]") {
  CHECK(FirstInvalidUtf8("plain \xC3\xA9 \xF0\x9F\x9A\x80") == -1);
  CHECK(FirstInvalidUtf8("ab\x80") == 2);
  CHECK(FirstInvalidUtf8("a\xC0\xAF") == 1);           // overlong '/'
  CHECK(FirstInvalidUtf8("a\xED\xA0\x80") == 1);       // encoded surrogate U+D800
  CHECK(FirstInvalidUtf8("ab\xF4\x90\x80\x80") == 2);  // above U+10FFFF
  CHECK(FirstInvalidUtf8("abc\xE4\xB8") == 3);         // cut short
  CHECK(FirstInvalidUtf8("\xFF") == 0);
}

TEST_CASE("LocateWholeTextError: points at an unclosed string's quote", "[extractors][common]") {
  CHECK(LocateWholeTextError(R"({"a":"x\"y)", simdjson::UNCLOSED_STRING) == 5);
  CHECK(LocateWholeTextError("{\"a\":1}  \n", simdjson::INCOMPLETE_ARRAY_OR_OBJECT) == 7);
  CHECK(LocateWholeTextError("{}", simdjson::TAPE_ERROR) == -1);
}

TEST_CASE("QuoteForMessage: escapes controls and cuts long text", "[extractors][common]") {
  CHECK(QuoteForMessage(std::string("a\0\"b", 4)) == "\"a\\u0000\\\"b\"");
  std::string cut = QuoteForMessage(std::string(1000, 'k'));
  CHECK(cut.size() == 80 + 5);
  CHECK_THAT(cut, Catch::EndsWith("\"..."));
}

}  // namespace
}  // namespace ferry::json_error_test
