// UTF-8 and UTF-16LE text of Firefox's stores, well-formed or not.
#include "extractors/firefox/text_codec.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::firefox::text_codec_test {
namespace {

DecodedText Utf8(const std::string& bytes) { return DecodeUtf8(std::string_view(bytes)); }

TEST_CASE("FirefoxTextCodec: well-formed UTF-8 is kept byte for byte", "[extractors][firefox]") {
  std::string text = std::string("a\0b", 3) + "\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x94\x91";
  DecodedText decoded = Utf8(text);
  CHECK(decoded.utf8 == text);
  CHECK(decoded.code_units == 3 + 1 + 1 + 2);
  CHECK_FALSE(decoded.lossy);
  DecodedText moved = DecodeUtf8(std::string(text));
  CHECK(moved.utf8 == text);
}

TEST_CASE("FirefoxTextCodec: a surrogate in generalized UTF-8 is kept as a lone code unit",
          "[extractors][firefox][corrupt]") {
  DecodedText decoded = Utf8("\xED\xA0\x80x");  // U+D800, 'x'
  CHECK(decoded.lossy);
  CHECK(decoded.problem_is_utf16);
  CHECK(decoded.utf8 == "\xEF\xBF\xBDx");
  CHECK(decoded.exact_json == "\\ud800x");
  CHECK(decoded.code_units == 2);
  CHECK(Utf8Units("\xED\xB0\x80") == std::u16string(1, static_cast<char16_t>(0xDC00)));
}

TEST_CASE("FirefoxTextCodec: a surrogate pair in six bytes (CESU-8) is not lossy",
          "[extractors][firefox][corrupt]") {
  DecodedText decoded = Utf8("\xED\xA0\xBD\xED\xB4\x91");  // D83D DD11
  CHECK_FALSE(decoded.lossy);
  CHECK(decoded.utf8 == "\xF0\x9F\x94\x91");
}

TEST_CASE("FirefoxTextCodec: invalid UTF-8 bytes become U+FFFD, each maximal bad part once",
          "[extractors][firefox][corrupt]") {
  // overlong, stray continuation, truncated 3-byte sequence, byte above F4
  DecodedText decoded = Utf8("\xC0\xAF|\x80|\xE4\xB8|\xF5");
  CHECK(decoded.lossy);
  CHECK_FALSE(decoded.problem_is_utf16);
  CHECK(decoded.utf8 == "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD");
  CHECK(decoded.exact_json == "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD");
  CHECK_THAT(decoded.problem, Catch::Contains("5 invalid UTF-8 sequences, the first at byte 0"));
}

TEST_CASE("FirefoxTextCodec: UTF-16LE with a lone low surrogate at the end",
          "[extractors][firefox][corrupt]") {
  std::string bytes("a\0\x00\xDC", 4);
  DecodedText decoded = DecodeUtf16Le(bytes);
  CHECK(decoded.lossy);
  CHECK(decoded.utf8 == "a\xEF\xBF\xBD");
  CHECK(decoded.exact_json == "a\\udc00");
  CHECK(decoded.code_units == 2);
}

TEST_CASE("FirefoxTextCodec: JSON escapes in exact text of a lossy string",
          "[extractors][firefox][corrupt]") {
  DecodedText decoded = Utf8("\"\\\n\xED\xA0\x80");
  CHECK(decoded.exact_json == "\\\"\\\\\\n\\ud800");
}

}  // namespace
}  // namespace ferry::firefox::text_codec_test
