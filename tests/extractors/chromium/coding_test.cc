#include "extractors/chromium/coding.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/chromium/crc32c.h"

namespace ferry::chromium::coding_test {
namespace {

TEST_CASE("Crc32cExtend: the standard CRC32C check values", "[extractors][chromium][leveldb]") {
  CHECK(Crc32cExtend(0, "123456789") == 0xE3069283u);
  CHECK(Crc32cExtend(0, std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(Crc32cExtend(0, std::string(32, '\xff')) == 0x62A8AB43u);
  CHECK(Crc32cExtend(0, "") == 0u);
  // Extending in pieces gives the CRC of the whole.
  CHECK(Crc32cExtend(Crc32cExtend(0, "12345"), "6789") == 0xE3069283u);
}

TEST_CASE("Crc32cExtend: the instruction and the table agree at every length and start",
          "[extractors][chromium][leveldb]") {
  CHECK(Crc32cExtendPortable(0, "123456789") == 0xE3069283u);
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes += static_cast<char>((i * 131 + 7) & 0xFF);
  for (size_t start = 0; start < 9; ++start) {
    for (size_t length = 0; start + length <= bytes.size(); length += 1 + length / 8) {
      std::string_view piece = std::string_view(bytes).substr(start, length);
      INFO("start " << start << ", length " << length);
      REQUIRE(Crc32cExtend(0x12345678u, piece) == Crc32cExtendPortable(0x12345678u, piece));
      REQUIRE(Crc32cExtend(0, piece) == Crc32cExtendPortable(0, piece));
    }
  }
}

TEST_CASE("MaskCrc: masks as LevelDB stores CRCs and unmasks back",
          "[extractors][chromium][leveldb]") {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu}) {
    CHECK(UnmaskCrc(MaskCrc(crc)) == crc);
    CHECK(MaskCrc(crc) != crc);
  }
}

TEST_CASE("ByteReader: varints, fixed integers and length-prefixed bytes",
          "[extractors][chromium][leveldb]") {
  const std::string input(
      "\x96\x01\xff\xff\xff\xff\x0f\x03"
      "abc\x01\x02\x03\x04",
      15);
  ByteReader reader(input);
  uint32_t small = 0;
  REQUIRE(reader.GetVarint32(&small));
  CHECK(small == 150);
  uint64_t large = 0;
  REQUIRE(reader.GetVarint64(&large));
  CHECK(large == 0xFFFFFFFFu);
  std::string_view bytes;
  REQUIRE(reader.GetLengthPrefixed(&bytes));
  CHECK(bytes == "abc");
  uint32_t fixed = 0;
  REQUIRE(reader.GetFixed32(&fixed));
  CHECK(fixed == 0x04030201u);
  CHECK(reader.empty());
  CHECK(DecodeFixed64("\x01\0\0\0\0\0\0\x80") == 0x8000000000000001ull);
}

TEST_CASE("ByteReader: truncated, overlong and oversized encodings fail without reading on",
          "[extractors][chromium][leveldb][corrupt]") {
  uint64_t value = 0;
  uint32_t value32 = 0;
  std::string_view bytes;
  CHECK_FALSE(ByteReader("\x80\x80").GetVarint64(&value));                        // no last byte
  CHECK_FALSE(ByteReader(std::string(11, '\x80') + "\x01").GetVarint64(&value));  // too long
  CHECK_FALSE(ByteReader("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02").GetVarint64(&value));
  CHECK(ByteReader("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01").GetVarint64(&value));
  CHECK(value == UINT64_MAX);
  CHECK_FALSE(ByteReader("\xff\xff\xff\xff\x10").GetVarint32(&value32));  // above 2^32
  ByteReader lying(
      "\x05"
      "abc");  // says 5 bytes, holds 3
  CHECK_FALSE(lying.GetLengthPrefixed(&bytes));
  CHECK(lying.rest() ==
        "\x05"
        "abc");  // nothing consumed
  CHECK_FALSE(ByteReader("abc").GetFixed32(&value32));
  CHECK_FALSE(ByteReader("1234567").GetFixed64(&value));
  uint8_t byte = 0;
  CHECK_FALSE(ByteReader("").GetByte(&byte));
}

}  // namespace
}  // namespace ferry::chromium::coding_test
