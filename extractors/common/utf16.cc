#include "extractors/common/utf16.h"

#include <fmt/format.h>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <tmmintrin.h>
#endif

#include "extractors/common/code_units.h"

namespace ferry {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

size_t Utf8Length(char32_t code_point) {
  return code_point < 0x80 ? 1 : code_point < 0x800 ? 2 : code_point < 0x10000 ? 3 : 4;
}

// Writes `code_point` at `out` (which has room) and returns the end of what was written.
// Inlined: a call per character was a sixth of decoding a value of non-ASCII text.
[[gnu::always_inline]] inline char* PutUtf8(char32_t code_point, char* out) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xC0 | (code_point >> 6));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (code_point >> 12));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (code_point >> 18));
    *out++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

void AppendUtf8(char32_t code_point, std::string* out) {
  char buffer[4];
  out->append(buffer, PutUtf8(code_point, buffer) - buffer);
}

// Walks the code points of UTF-16 `units` (read through `unit_at`), passing each to `emit`;
// an unpaired surrogate is passed as (its unit, true).
template <typename UnitAt, typename Emit>
void ForEachCodePoint(size_t units, UnitAt unit_at, Emit emit) {
  for (size_t i = 0; i < units; ++i) {
    uint32_t unit = unit_at(i);
    if (IsHighSurrogate(unit) && i + 1 < units && IsLowSurrogate(unit_at(i + 1))) {
      uint32_t low = unit_at(++i);
      emit(static_cast<char32_t>(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)), false, i);
    } else {
      emit(static_cast<char32_t>(unit), IsHighSurrogate(unit) || IsLowSurrogate(unit), i);
    }
  }
}

constexpr uint64_t kHighBits = 0x8080808080808080ull;
constexpr uint64_t kLowBits = 0x0101010101010101ull;
// Four UTF-16LE code units are all ASCII when none of these bits is set.
constexpr uint64_t kNonAsciiUnits = 0xFF80FF80FF80FF80ull;

uint64_t Load64(const char* data) {
  uint64_t word;
  std::memcpy(&word, data, sizeof word);
  return word;
}

#if defined(__SSE2__)
// Eight code units from U+0800 up (no surrogate) as their 24 bytes of UTF-8 at `out`: the
// three bytes of each computed in 16-bit lanes, packed, then interleaved by SSSE3's byte
// shuffle. A value of CJK text is mostly such blocks (a tenth of the per-unit instructions).
__attribute__((target("ssse3"))) void PutThreeByteBlock(__m128i units, char* out) {
  __m128i lead = _mm_or_si128(_mm_srli_epi16(units, 12), _mm_set1_epi16(0xE0));
  __m128i middle = _mm_or_si128(_mm_and_si128(_mm_srli_epi16(units, 6), _mm_set1_epi16(0x3F)),
                                _mm_set1_epi16(0x80));
  __m128i last = _mm_or_si128(_mm_and_si128(units, _mm_set1_epi16(0x3F)), _mm_set1_epi16(0x80));
  __m128i leads_middles = _mm_packus_epi16(lead, middle);  // lead 0..7, then middle 0..7
  __m128i lasts = _mm_packus_epi16(last, last);
  // Byte k of the output is unit k / 3's lead, middle or last byte (k % 3); -1 gives 0.
  __m128i low = _mm_or_si128(
      _mm_shuffle_epi8(leads_middles,
                       _mm_setr_epi8(0, 8, -1, 1, 9, -1, 2, 10, -1, 3, 11, -1, 4, 12, -1, 5)),
      _mm_shuffle_epi8(lasts,
                       _mm_setr_epi8(-1, -1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1)));
  __m128i high = _mm_or_si128(
      _mm_shuffle_epi8(leads_middles,
                       _mm_setr_epi8(13, -1, 6, 14, -1, 7, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1)),
      _mm_shuffle_epi8(lasts,
                       _mm_setr_epi8(-1, 5, -1, -1, 6, -1, -1, 7, -1, -1, -1, -1, -1, -1, -1, -1)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), low);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), high);
}

bool HasSsse3() {
  static const bool has = __builtin_cpu_supports("ssse3");
  return has;
}
#endif

// One pass over UTF-16LE `bytes` (whole code units only). Counting (kWrite false): returns the
// UTF-8 length and fills *damage. Writing: puts the UTF-8 at `out` and returns its end as the
// offset from `out`. Runs of ASCII go four code units at a time.
template <bool kWrite>
size_t Utf16LeToUtf8(std::string_view bytes, char* out, Utf16Damage* damage) {
  const char* data = bytes.data();
  const auto* units = reinterpret_cast<const unsigned char*>(data);
  auto unit_at = [units](size_t i) -> uint32_t { return units[2 * i] | (units[2 * i + 1] << 8); };
  size_t count = bytes.size() / 2;
  size_t length = 0;
  // One code point: the unit at i, or the pair from i. Returns where the next one starts.
  auto step = [&](size_t i) -> size_t {
    uint32_t unit = unit_at(i);
    char32_t code_point = unit;
    if (IsHighSurrogate(unit) && i + 1 < count && IsLowSurrogate(unit_at(i + 1))) {
      code_point = 0x10000 + ((unit - 0xD800) << 10) + (unit_at(i + 1) - 0xDC00);
      i += 2;
    } else {
      if (IsHighSurrogate(unit) || IsLowSurrogate(unit)) {
        if constexpr (!kWrite) {
          if (damage->lone_surrogates++ == 0) {
            damage->first_lone_index = static_cast<int64_t>(i);
            damage->first_lone_unit = static_cast<uint16_t>(unit);
          }
        }
        code_point = kReplacement;
      }
      ++i;
    }
    if constexpr (kWrite) {
      length = static_cast<size_t>(PutUtf8(code_point, out + length) - out);
    } else {
      length += Utf8Length(code_point);
    }
    return i;
  };
  size_t i = 0;
#if defined(__SSE2__)
  // Eight code units at a time. Counting: a block without surrogates takes 1, 2 or 3 bytes a
  // unit, summed at once (a value of CJK text is no slower than ASCII to count). Writing: a
  // block of ASCII is packed to its eight bytes, a block of three-byte characters shuffled to
  // its 24 (SSSE3, where the CPU has it). Any other block goes a code point at a time, and the
  // next block starts after it (a pair may take one unit past it), not retried.
  while (i + 8 <= count) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 2 * i));
    __m128i zero = _mm_setzero_si128();
    __m128i ascii = _mm_cmpeq_epi16(_mm_and_si128(block, _mm_set1_epi16(-0x80)), zero);
    if constexpr (kWrite) {
      if (_mm_movemask_epi8(ascii) == 0xFFFF) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + length), _mm_packus_epi16(block, zero));
        length += 8;
        i += 8;
        continue;
      }
      if (HasSsse3()) {
        __m128i top5 = _mm_and_si128(block, _mm_set1_epi16(-0x800));  // 0xF800
        __m128i not_three = _mm_or_si128(_mm_cmpeq_epi16(top5, zero),
                                         _mm_cmpeq_epi16(top5, _mm_set1_epi16(-0x2800)));
        if (_mm_movemask_epi8(not_three) == 0) {
          PutThreeByteBlock(block, out + length);
          length += 24;
          i += 8;
          continue;
        }
      }
    } else {
      __m128i top5 = _mm_and_si128(block, _mm_set1_epi16(-0x800));         // 0xF800
      __m128i surrogate = _mm_cmpeq_epi16(top5, _mm_set1_epi16(-0x2800));  // 0xD800
      if (_mm_movemask_epi8(surrogate) == 0) {
        __m128i below_800 = _mm_cmpeq_epi16(top5, zero);
        // 3 a unit, less one (an all-ones lane is -1) below U+0800 and one more below U+0080.
        __m128i bytes = _mm_add_epi16(_mm_add_epi16(_mm_set1_epi16(3), ascii), below_800);
        __m128i sums = _mm_sad_epu8(bytes, zero);  // each lane is 1..3: its low byte
        length += static_cast<size_t>(_mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4));
        i += 8;
        continue;
      }
    }
    for (size_t stop = i + 8; i < stop;) {
      uint32_t unit = unit_at(i);
      if constexpr (kWrite) {
        // Inline here the characters of one, two and three bytes (no surrogate): a value of
        // CJK text is mostly the last.
        auto* put = reinterpret_cast<unsigned char*>(out + length);
        if (unit < 0x80) {
          put[0] = static_cast<unsigned char>(unit);
          length += 1;
          ++i;
          continue;
        }
        if (unit < 0x800) {
          put[0] = static_cast<unsigned char>(0xC0 | (unit >> 6));
          put[1] = static_cast<unsigned char>(0x80 | (unit & 0x3F));
          length += 2;
          ++i;
          continue;
        }
        if ((unit & 0xF800) != 0xD800) {
          put[0] = static_cast<unsigned char>(0xE0 | (unit >> 12));
          put[1] = static_cast<unsigned char>(0x80 | ((unit >> 6) & 0x3F));
          put[2] = static_cast<unsigned char>(0x80 | (unit & 0x3F));
          length += 3;
          ++i;
          continue;
        }
      }
      i = step(i);
    }
  }
#endif
  while (i < count) {
    if (i + 4 <= count && (Load64(data + 2 * i) & kNonAsciiUnits) == 0) {
      if constexpr (kWrite) {
        for (size_t k = 0; k < 4; ++k) {
          out[length + k] = data[2 * (i + k)];
        }
      }
      length += 4;
      i += 4;
      continue;
    }
    i = step(i);
  }
  return length;
}

char* Utf16LeToUtf8Write(std::string_view bytes, char* out) {
  return out + Utf16LeToUtf8<true>(bytes, out, nullptr);
}

}  // namespace

std::string Utf16Damage::Describe() const {
  std::string text;
  if (lone_surrogates > 0) {
    text = fmt::format("unpaired surrogate U+{:04X} at code unit {}", first_lone_unit,
                       first_lone_index);
    if (lone_surrogates > 1) {
      text += fmt::format(" ({} in all)", lone_surrogates);
    }
  }
  if (odd_byte) {
    text += fmt::format("{}odd byte count (a dangling byte at the end)", text.empty() ? "" : "; ");
  }
  return text;
}

Utf16Damage AppendUtf16LeAsUtf8(std::string_view bytes, std::string* out) {
  Utf16Damage damage;
  damage.odd_byte = bytes.size() % 2 != 0;
  // First pass: the exact UTF-8 length, so that a multi-megabyte value is allocated once.
  size_t length = Utf16LeToUtf8<false>(bytes, nullptr, &damage);
  if (damage.odd_byte) {
    length += Utf8Length(kReplacement);
  }
  size_t start = out->size();
  out->resize(start + length);
  char* cursor = Utf16LeToUtf8Write(bytes, out->data() + start);
  if (damage.odd_byte) {
    PutUtf8(kReplacement, cursor);
  }
  return damage;
}

void AppendLatin1AsUtf8(std::string_view bytes, std::string* out) {
  const char* data = bytes.data();
  size_t size = bytes.size();
  size_t i = 0;
#if defined(__SSE2__)
  // Most values are ASCII: find where that stops 64 bytes at a time first.
  for (; i + 64 <= size; i += 64) {
    const auto* block = reinterpret_cast<const __m128i*>(data + i);
    __m128i any =
        _mm_or_si128(_mm_or_si128(_mm_loadu_si128(block), _mm_loadu_si128(block + 1)),
                     _mm_or_si128(_mm_loadu_si128(block + 2), _mm_loadu_si128(block + 3)));
    if (_mm_movemask_epi8(any) != 0) break;
  }
#endif
  // Bytes from 0x80 take two in UTF-8; count them eight at a time.
  size_t length = size;
  for (; i + 8 <= size; i += 8) {
    // The high bits moved to each byte's low bit, summed into the top byte by the multiply
    // (at most 8): __builtin_popcountll is a libgcc call without -mpopcnt.
    length += static_cast<size_t>((((Load64(data + i) & kHighBits) >> 7) * kLowBits) >> 56);
  }
  for (; i < size; ++i) {
    length += static_cast<unsigned char>(data[i]) >> 7;
  }
  if (length == size) {  // all ASCII, as most values are: the bytes are their UTF-8
    out->append(data, size);
    return;
  }
  size_t start = out->size();
  out->resize(start + length);
  char* cursor = out->data() + start;
  i = 0;
  while (i < size) {
    // Copy a run of ASCII whole, then one wider character.
    size_t run = i;
    while (run + 8 <= size && (Load64(data + run) & kHighBits) == 0) {
      run += 8;
    }
    while (run < size && static_cast<unsigned char>(data[run]) < 0x80) {
      ++run;
    }
    std::memcpy(cursor, data + i, run - i);
    cursor += run - i;
    i = run;
    if (i < size) {
      cursor = PutUtf8(static_cast<unsigned char>(data[i++]), cursor);
    }
  }
}

std::u16string Utf16LeUnits(std::string_view bytes) {
  std::u16string units(bytes.size() / 2, u'\0');
  for (size_t i = 0; i < units.size(); ++i) {
    units[i] = static_cast<char16_t>(static_cast<unsigned char>(bytes[2 * i]) |
                                     (static_cast<unsigned char>(bytes[2 * i + 1]) << 8));
  }
  return units;
}

std::string Utf16ToJsonEscapedUtf8(std::u16string_view units) {
  std::string out;
  out.reserve(units.size());
  auto unit_at = [units](size_t i) -> uint32_t { return units[i]; };
  ForEachCodePoint(units.size(), unit_at, [&out](char32_t code_point, bool lone, size_t) {
    switch (code_point) {
      case '"':
        out += "\\\"";
        return;
      case '\\':
        out += "\\\\";
        return;
      case '\b':
        out += "\\b";
        return;
      case '\f':
        out += "\\f";
        return;
      case '\n':
        out += "\\n";
        return;
      case '\r':
        out += "\\r";
        return;
      case '\t':
        out += "\\t";
        return;
      default:
        break;
    }
    if (lone || code_point < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<uint32_t>(code_point));
    } else {
      AppendUtf8(code_point, &out);
    }
  });
  return out;
}

}  // namespace ferry
