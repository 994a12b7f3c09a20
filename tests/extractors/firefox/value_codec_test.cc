// Firefox's stored values: each conversion_type x compression_type, and values that lie.
#include "extractors/firefox/value_codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::firefox::value_codec_test {
namespace {

using testing::Snappy;
using testing::Utf16Le;

StoredValue Value(const std::string& bytes, int64_t conversion, int64_t compression,
                  int64_t utf16_length) {
  return StoredValue{bytes, conversion, compression, utf16_length};
}

const std::string kWide = "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x94\x91";  // "café 中 🔑": 9 units

TEST_CASE("FirefoxValueCodec: UTF-8, uncompressed, is the text itself", "[extractors][firefox]") {
  std::string bytes = kWide;
  Result<DecodedText> text = DecodeStoredValue(Value(bytes, kConversionUtf8, kCompressionNone, 9));
  REQUIRE(text.ok());
  CHECK(text->utf8 == kWide);
  CHECK(text->code_units == 9);
  CHECK_FALSE(text->lossy);
  CHECK(text->exact_json.empty());
}

TEST_CASE("FirefoxValueCodec: UTF-8, snappy, is decompressed", "[extractors][firefox]") {
  std::string plain;
  for (int i = 0; i < 500; ++i) {
    plain += kWide;
  }
  std::string compressed = Snappy(plain);
  REQUIRE(compressed.size() < plain.size());
  Result<DecodedText> text =
      DecodeStoredValue(Value(compressed, kConversionUtf8, kCompressionSnappy, 9 * 500));
  REQUIRE(text.ok());
  CHECK(text->utf8 == plain);
  CHECK(text->code_units == 4500);
}

TEST_CASE("FirefoxValueCodec: UTF-16LE, uncompressed, keeps a surrogate pair",
          "[extractors][firefox]") {
  std::string bytes = Utf16Le(u"a\U0001F511\u4E2D");
  Result<DecodedText> text = DecodeStoredValue(Value(bytes, kConversionUtf16, kCompressionNone, 4));
  REQUIRE(text.ok());
  CHECK(text->utf8 == "a\xF0\x9F\x94\x91\xE4\xB8\xAD");
  CHECK(text->code_units == 4);
  CHECK_FALSE(text->lossy);
}

TEST_CASE("FirefoxValueCodec: UTF-16LE, snappy, with an unpaired surrogate is lossy and exact",
          "[extractors][firefox]") {
  std::u16string units = u"x";
  units += static_cast<char16_t>(0xD800);
  units += u"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
  std::string compressed = Snappy(Utf16Le(units));
  Result<DecodedText> text = DecodeStoredValue(
      Value(compressed, kConversionUtf16, kCompressionSnappy, static_cast<int64_t>(units.size())));
  REQUIRE(text.ok());
  CHECK(text->lossy);
  CHECK(text->problem_is_utf16);
  CHECK_THAT(text->problem, Catch::Contains("U+D800 at code unit 1"));
  CHECK(text->utf8.substr(0, 4) == "x\xEF\xBF\xBD");
  CHECK(text->exact_json.substr(0, 7) == "x\\ud800");
}

TEST_CASE("FirefoxValueCodec: the empty value decodes to the empty string",
          "[extractors][firefox]") {
  std::string none;
  for (int64_t conversion : {kConversionUtf8, kConversionUtf16}) {
    Result<DecodedText> text = DecodeStoredValue(Value(none, conversion, kCompressionNone, 0));
    REQUIRE(text.ok());
    CHECK(text->utf8.empty());
    CHECK(text->code_units == 0);
  }
}

TEST_CASE("FirefoxValueCodec: UTF-16LE of odd length is lossy with U+FFFD at the end",
          "[extractors][firefox][corrupt]") {
  std::string bytes = Utf16Le(u"ab") + "c";
  Result<DecodedText> text = DecodeStoredValue(Value(bytes, kConversionUtf16, kCompressionNone, 2));
  REQUIRE(text.ok());
  CHECK(text->lossy);
  CHECK(text->utf8 == "ab\xEF\xBF\xBD");
  CHECK_THAT(text->problem, Catch::Contains("odd byte count"));
}

TEST_CASE("FirefoxValueCodec: UTF-8 that is not well-formed is lossy, never dropped",
          "[extractors][firefox][corrupt]") {
  std::string bytes = "ok\xFF\xC3";
  Result<DecodedText> text = DecodeStoredValue(Value(bytes, kConversionUtf8, kCompressionNone, 4));
  REQUIRE(text.ok());
  CHECK(text->lossy);
  CHECK_FALSE(text->problem_is_utf16);
  CHECK(text->utf8 == "ok\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK_THAT(text->problem, Catch::Contains("2 invalid UTF-8 sequences, the first at byte 2"));
}

TEST_CASE("FirefoxValueCodec: an unknown conversion_type is corruption naming it",
          "[extractors][firefox][corrupt]") {
  std::string bytes = "abc";
  Result<DecodedText> text = DecodeStoredValue(Value(bytes, 2, kCompressionNone, 3));
  REQUIRE(text.status().IsCorruption());
  CHECK_THAT(text.status().message(), Catch::Contains("unknown conversion_type 2"));
}

TEST_CASE("FirefoxValueCodec: an unknown compression_type is corruption naming it",
          "[extractors][firefox][corrupt]") {
  std::string bytes = "abc";
  Result<DecodedText> text = DecodeStoredValue(Value(bytes, kConversionUtf8, 7, 3));
  REQUIRE(text.status().IsCorruption());
  CHECK_THAT(text.status().message(), Catch::Contains("unknown compression_type 7"));
}

TEST_CASE("FirefoxValueCodec: snappy data cut short does not decompress",
          "[extractors][firefox][corrupt]") {
  std::string plain(1000, 'a');
  plain += kWide;
  std::string compressed = Snappy(plain);
  compressed.resize(compressed.size() - 3);
  Result<DecodedText> text =
      DecodeStoredValue(Value(compressed, kConversionUtf8, kCompressionSnappy, 1009));
  REQUIRE(text.status().IsCorruption());
  CHECK_THAT(text.status().message(), Catch::Contains("does not decompress"));
}

TEST_CASE("FirefoxValueCodec: a snappy length header that lies is caught before allocating",
          "[extractors][firefox][corrupt]") {
  // varint 0x7fffffff: 2 GiB claimed by a five-byte value.
  std::string lying = std::string("\xFF\xFF\xFF\xFF\x07", 5) + "abcd";
  Result<DecodedText> text =
      DecodeStoredValue(Value(lying, kConversionUtf8, kCompressionSnappy, kUnknownLength));
  REQUIRE(text.status().IsCorruption());
  CHECK_THAT(text.status().message(), Catch::Contains("more than 9 compressed bytes can hold"));

  // A length the compressed size allows, but not the row's utf16_length.
  std::string compressed = Snappy(std::string(100, 'a'));
  text = DecodeStoredValue(Value(compressed, kConversionUtf8, kCompressionSnappy, 10));
  REQUIRE(text.status().IsCorruption());
  CHECK_THAT(text.status().message(), Catch::Contains("utf16_length 10 allows 10..30 bytes"));
  text = DecodeStoredValue(Value(compressed, kConversionUtf16, kCompressionSnappy, 49));
  REQUIRE(text.status().IsCorruption());
}

TEST_CASE("FirefoxValueCodec: an empty or malformed snappy length header is corruption",
          "[extractors][firefox][corrupt]") {
  for (std::string bad : {std::string(), std::string("\x80\x80\x80\x80\x80\x80", 6)}) {
    Result<DecodedText> text =
        DecodeStoredValue(Value(bad, kConversionUtf8, kCompressionSnappy, kUnknownLength));
    REQUIRE(text.status().IsCorruption());
    CHECK_THAT(text.status().message(), Catch::Contains("no valid length header"));
  }
}

}  // namespace
}  // namespace ferry::firefox::value_codec_test
