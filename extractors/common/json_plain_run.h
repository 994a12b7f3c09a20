// The length of a run of plain bytes in a JSON string: bytes that are neither '"', '\' nor a
// control character below 0x20, found eight at a time. The JSON string scanners (the escaper,
// the decoder, the dump's scanner) spend most of their time in such runs: a dump's value is
// JSON text inside a string, megabytes of it, with an escape every few bytes.
//
// Thread safety: pure functions.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ferry {

// The bytes of `word` (its first byte the lowest) that are not plain: zero when all eight are
// plain, else its lowest set bit is the high bit of the first byte that is not. The classic
// has-less-than test (bits above the first may be wrong: a borrow only starts at a match).
inline uint64_t JsonSpecialBytes(uint64_t word) {
  static_assert(std::endian::native == std::endian::little, "the first byte is the lowest");
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto below = [](uint64_t v, uint64_t n) { return (v - kOnes * n) & ~v & kHigh; };
  return below(word, 0x20) | below(word ^ (kOnes * '"'), 1) | below(word ^ (kOnes * '\\'), 1);
}

inline bool IsJsonPlainByte(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }

// The number of plain bytes from `begin` on, up to `end`.
inline size_t JsonPlainRun(const char* begin, const char* end) {
  const char* p = begin;
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (uint64_t special = JsonSpecialBytes(word); special != 0) {
      return static_cast<size_t>(p - begin) + static_cast<size_t>(std::countr_zero(special)) / 8;
    }
    p += 8;
  }
  while (p != end && IsJsonPlainByte(static_cast<unsigned char>(*p))) ++p;
  return static_cast<size_t>(p - begin);
}

}  // namespace ferry
