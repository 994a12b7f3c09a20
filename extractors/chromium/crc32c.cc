#include "extractors/chromium/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

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

#if defined(__x86_64__)
// SSE4.2's crc32 instruction computes this very CRC, eight bytes at a time: an eighth of the
// table-driven loop's instructions (LevelDB's checks of the table blocks, table-driven too,
// were 12 % of the large fixture's export).
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(uint32_t crc, std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  uint64_t state = ~crc;
  for (; left >= 8; left -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    state = _mm_crc32_u64(state, word);
  }
  auto narrow = static_cast<uint32_t>(state);
  for (; left > 0; --left, ++p) {
    narrow = _mm_crc32_u8(narrow, static_cast<unsigned char>(*p));
  }
  return ~narrow;
}

bool HasHardwareCrc() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (HasHardwareCrc()) {
    return Crc32cHardware(crc, data);
  }
#endif
  return Crc32cExtendPortable(crc, data);
}

uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data) {
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
