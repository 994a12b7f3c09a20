#include "extractors/common/json_string.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/common/json_exact.h"

namespace ferry::json_string_test {
namespace {

Result<DecodedString> Decode(const std::string& json) { return DecodeJsonString(json, 0); }

TEST_CASE("DecodeJsonString: escapes and surrogate pairs decode exactly",
          "[extractors][common][unicode]") {
  Result<DecodedString> got = Decode(R"("a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d\ud83d\ude80" tail)");
  REQUIRE(got.ok());
  CHECK(got->text == "a\"b\\c/d\b\f\n\r\t\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x9A\x80");
  CHECK_FALSE(got->lossy);
  CHECK(Decode(R"("\u0000")")->text == std::string(1, '\0'));
  CHECK(Decode(R"("")")->text.empty());
  CHECK(Decode("\"caf\xC3\xA9\"")->text == "caf\xC3\xA9");
}

TEST_CASE("DecodeJsonString: a long value of JSON text decodes to what was escaped",
          "[extractors][common][unicode]") {
  // Escapes every few bytes, long plain runs and multi-byte characters, over many times the
  // decoder's 4 KiB buffer, with runs and escapes falling on each side of its flushes.
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += "{\"id\":" + std::to_string(i) + ",\"t\":\"caf\xC3\xA9 \\ \t\x01\"}";
    if (i % 89 == 0) text += std::string(4090 + static_cast<size_t>(i % 13), 'x');
  }
  Result<DecodedString> got = Decode("\"" + JsonBody(text) + "\" tail");
  REQUIRE(got.ok());
  CHECK(got->text == text);
  CHECK_FALSE(got->lossy);
}

TEST_CASE("DecodeJsonString: unpaired surrogates become U+FFFD and lossy",
          "[extractors][common][unicode]") {
  const std::string kFffd = "\xEF\xBF\xBD";
  CHECK(Decode(R"("\ud800")")->text == kFffd);
  CHECK(Decode(R"("\ud800")")->lossy);
  CHECK(Decode(R"("\udc00x")")->text == kFffd + "x");
  CHECK(Decode(R"("\udc00\ud83d")")->text == kFffd + kFffd);
  // A high surrogate followed by another high one: the first is lone, the pair after is kept.
  CHECK(Decode(R"("\ud800\ud83d\ude80")")->text == kFffd + "\xF0\x9F\x9A\x80");
  CHECK(Decode(R"("\ud800\u0041")")->text == kFffd + "A");
  CHECK(Decode(R"("\uD83D\uDE80")")->text == "\xF0\x9F\x9A\x80");
}

TEST_CASE("DecodeJsonString: bad escapes, raw controls and open strings are Corruption",
          "[extractors][common][corrupt]") {
  CHECK(Decode(R"("\x41")").status().IsCorruption());
  CHECK(Decode(R"("\u12")").status().IsCorruption());
  CHECK(Decode(R"("\u12g4")").status().IsCorruption());
  CHECK(Decode("\"a\nb\"").status().IsCorruption());
  CHECK(Decode("\"abc").status().IsCorruption());
  CHECK(Decode("\"abc\\").status().IsCorruption());
  CHECK(Decode("abc").status().IsCorruption());
  CHECK_THAT(Decode("\"\\\xC3\xA9\"").status().message(), Catch::Contains("0xc3"));
}

}  // namespace
}  // namespace ferry::json_string_test
