#include "extractors/common/utf16.h"

#include <fmt/format.h>

#include <cstring>

#include "extractors/common/code_units.h"

namespace ferry {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

size_t Utf8Length(char32_t code_point) {
  return code_point < 0x80 ? 1 : code_point < 0x800 ? 2 : code_point < 0x10000 ? 3 : 4;
}

// Writes `code_point` at `out` (which has room) and returns the end of what was written.
char* PutUtf8(char32_t code_point, char* out) {
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
  for (size_t i = 0; i < count;) {
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
  // Bytes from 0x80 take two in UTF-8; count them eight at a time.
  size_t length = size;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    // The high bits moved to each byte's low bit, summed into the top byte by the multiply
    // (at most 8): __builtin_popcountll is a libgcc call without -mpopcnt.
    length += static_cast<size_t>((((Load64(data + i) & kHighBits) >> 7) * kLowBits) >> 56);
  }
  for (; i < size; ++i) {
    length += static_cast<unsigned char>(data[i]) >> 7;
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
