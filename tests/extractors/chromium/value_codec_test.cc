#include "extractors/chromium/value_codec.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::chromium::value_codec_test {
namespace {

std::string Utf8(const std::string& encoded, Utf16Damage* damage = nullptr) {
  std::string text = "left over";
  Utf16Damage found;
  Status status = DecodeStoredString(encoded, &text, &found);
  REQUIRE(status.ok());
  if (damage != nullptr) {
    *damage = found;
  }
  return text;
}

TEST_CASE("DecodeStoredString: Latin-1 and UTF-16LE strings as Chromium writes them",
          "[extractors][chromium][codec]") {
  Utf16Damage damage;
  CHECK(Utf8("\x01plain ASCII value") == "plain ASCII value");
  CHECK(Utf8("\x01\xe9") == "\xC3\xA9");  // é is one byte e9, not UTF-8
  CHECK(Utf8("\x01") == "");              // the empty string
  CHECK(Utf8(std::string("\x01"
                         "before\0after",
                         13)) == std::string("before\0after", 12));
  CHECK(Utf8(std::string("\x00\x00\x01", 3), &damage) == "\xC4\x80");  // U+0100
  CHECK_FALSE(damage.any());
  CHECK(Utf8(std::string("\x00"
                         "c\0j\0k\0:\0\x2d\x4e\x87\x65",
                         13)) == "cjk:\xE4\xB8\xAD\xE6\x96\x87");
}

TEST_CASE("DecodeStoredString: unpaired surrogates and odd lengths are lossy, not dropped",
          "[extractors][chromium][codec][corrupt]") {
  Utf16Damage damage;
  CHECK(Utf8(std::string("\x00\x00\xd8x\x00", 5), &damage) == "\xEF\xBF\xBDx");
  CHECK(damage.lone_surrogates == 1);
  CHECK(Utf8(std::string("\x00"
                         "abc",
                         4),
             &damage) == "\xE6\x89\xA1\xEF\xBF\xBD");  // U+6261
  CHECK(damage.odd_byte);
  CHECK(Utf8(std::string("\x00"
                         "a",
                         2),
             &damage) == "\xEF\xBF\xBD");
  CHECK(damage.odd_byte);
}

TEST_CASE("DecodeStoredString: no encoding byte or an unknown one is Corruption",
          "[extractors][chromium][codec][corrupt]") {
  std::string text;
  Utf16Damage damage;
  Status empty = DecodeStoredString("", &text, &damage);
  CHECK(empty.IsCorruption());
  CHECK_THAT(empty.message(), Catch::Contains("no encoding byte"));
  for (const char* bad : {"\x02hello", "\xff", "\x31"}) {
    Status status = DecodeStoredString(bad, &text, &damage);
    CHECK(status.IsCorruption());
    CHECK_THAT(status.message(), Catch::Contains("unknown string encoding byte 0x"));
  }
  CHECK_THAT(DecodeStoredString("\x02", &text, &damage).message(), Catch::Contains("0x02"));
}

TEST_CASE("StoredStringUnits: exact code units; an odd UTF-16 length is Corruption",
          "[extractors][chromium][codec][corrupt]") {
  auto latin1 = StoredStringUnits("\x01\xff\x80 ");
  REQUIRE(latin1.ok());
  CHECK(*latin1 == std::u16string(u"\u00ff\u0080 "));
  auto lone = StoredStringUnits(std::string("\x00\x00\xd8x\x00", 5));
  REQUIRE(lone.ok());
  CHECK(*lone == std::u16string(u"\xd800x"));
  auto odd =
      StoredStringUnits(std::string("\x00"
                                    "abc",
                                    4));
  CHECK(odd.status().IsCorruption());
  CHECK_THAT(odd.status().message(), Catch::Contains("odd byte count"));
  CHECK(StoredStringUnits("").status().IsCorruption());
  CHECK(StoredStringUnits("\x07").status().IsCorruption());
}

TEST_CASE("StoredStringToJson: unpaired surrogates kept as escapes, odd byte as \\ufffd",
          "[extractors][chromium][codec]") {
  std::string json;
  Utf16Damage damage;
  REQUIRE(StoredStringToJson(std::string("\x00\x00\xd8x\x00", 5), &json, &damage).ok());
  CHECK(json == "\\ud800x");
  CHECK(damage.lone_surrogates == 1);
  REQUIRE(StoredStringToJson("\x01\"\xe9\n", &json, &damage).ok());
  CHECK(json == "\\\"\xC3\xA9\\n");
  CHECK_FALSE(damage.any());
  REQUIRE(StoredStringToJson(std::string("\x00"
                                         "abc",
                                         4),
                             &json, &damage)
              .ok());
  CHECK(json == "\xE6\x89\xA1\\ufffd");
  CHECK(damage.odd_byte);
  CHECK(StoredStringToJson("\x05", &json, &damage).IsCorruption());
}

}  // namespace
}  // namespace ferry::chromium::value_codec_test
