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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
// The bytes of the 16 at `p` that are not plain, one bit each (bit i for p[i]): exact, unlike
// JsonSpecialBytes. SSE2 is part of x86-64 itself, so no CPU check is needed.
inline uint32_t JsonSpecialMask16(const char* p) {
  __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
  __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
  // Unsigned c <= 0x1f exactly when max(c, 0x1f) is 0x1f.
  __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)));
}
#endif

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
