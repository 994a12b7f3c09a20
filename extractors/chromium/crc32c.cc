#include "extractors/chromium/crc32c.h"

#include <array>

#include "extractors/chromium/chromium_format.h"

namespace ferry::chromium {

namespace {

constexpr uint32_t kCastagnoliReversed = 0x82f63b78u;

// table[k][b]: the CRC of byte b followed by k zero bytes, for slicing by 4.
using CrcTables = std::array<std::array<uint32_t, 256>, 4>;

constexpr CrcTables MakeTables() {
  CrcTables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ ((crc & 1) != 0 ? kCastagnoliReversed : 0);
    }
    tables[0][byte] = crc;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t byte = 0; byte < 256; ++byte) {
      uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xff];
    }
  }
  return tables;
}

constexpr CrcTables kTables = MakeTables();

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const unsigned char* end = p + data.size();
  uint32_t state = ~crc;
  while (end - p >= 4) {
    state ^= static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
             (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
    state = kTables[3][state & 0xff] ^ kTables[2][(state >> 8) & 0xff] ^
            kTables[1][(state >> 16) & 0xff] ^ kTables[0][state >> 24];
    p += 4;
  }
  while (p != end) {
    state = (state >> 8) ^ kTables[0][(state ^ *p++) & 0xff];
  }
  return ~state;
}

uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kCrcMaskDelta; }

uint32_t UnmaskCrc(uint32_t masked) {
  uint32_t rotated = masked - kCrcMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace ferry::chromium
