#include "extractors/firefox/text_codec.h"

#include <fmt/format.h>

#include "extractors/common/utf16.h"

namespace ferry::firefox {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes the sequence at p[0..n) (n > 0): sets *code_point (a surrogate code point for the
// three-byte generalized form, U+FFFD with *bad for an invalid sequence) and returns how many
// bytes it took: the whole sequence, or the longest valid start of a bad one (at least 1).
size_t NextCodePoint(const unsigned char* p, size_t n, char32_t* code_point, bool* bad) {
  *bad = false;
  unsigned char lead = p[0];
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    second_min = lead == 0xE0 ? 0xA0 : 0x80;  // ED A0..BF (surrogates) is let through
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    second_min = lead == 0xF0 ? 0x90 : 0x80;
    second_max = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    *code_point = kReplacement;
    *bad = true;
    return 1;
  }
  char32_t value = lead & (0xFF >> (length + 1));
  for (size_t i = 1; i < length; ++i) {
    bool fits =
        i < n && IsContinuation(p[i]) && (i != 1 || (p[i] >= second_min && p[i] <= second_max));
    if (!fits) {
      *code_point = kReplacement;
      *bad = true;
      return i;
    }
    value = (value << 6) | (p[i] & 0x3F);
  }
  *code_point = value;
  return length;
}

void PushUnits(char32_t code_point, std::u16string* units) {
  if (code_point >= 0x10000) {
    units->push_back(static_cast<char16_t>(0xD800 + ((code_point - 0x10000) >> 10)));
    units->push_back(static_cast<char16_t>(0xDC00 + ((code_point - 0x10000) & 0x3FF)));
  } else {
    units->push_back(static_cast<char16_t>(code_point));
  }
}

std::string UnitsAsUtf16Le(const std::u16string& units) {
  std::string bytes(units.size() * 2, '\0');
  for (size_t i = 0; i < units.size(); ++i) {
    bytes[2 * i] = static_cast<char>(units[i] & 0xFF);
    bytes[2 * i + 1] = static_cast<char>(units[i] >> 8);
  }
  return bytes;
}

std::u16string Utf8UnitsImpl(std::string_view bytes) {
  std::u16string units;
  units.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size();) {
    char32_t code_point;
    bool bad;
    i += NextCodePoint(p + i, bytes.size() - i, &code_point, &bad);
    PushUnits(code_point, &units);
  }
  return units;
}

// DecodeUtf8, moving *owned (which holds `bytes`) into the result when it is well-formed.
DecodedText DecodeUtf8Impl(std::string_view bytes, std::string* owned) {
  DecodedText text;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  int64_t bad_sequences = 0;
  int64_t first_bad_offset = -1;
  bool surrogates = false;
  for (size_t i = 0; i < bytes.size();) {
    if (p[i] < 0x80) {  // the common case: ASCII
      ++text.code_units;
      ++i;
      continue;
    }
    char32_t code_point;
    bool bad;
    size_t taken = NextCodePoint(p + i, bytes.size() - i, &code_point, &bad);
    if (bad && bad_sequences++ == 0) {
      first_bad_offset = static_cast<int64_t>(i);
    }
    surrogates = surrogates || (code_point >= 0xD800 && code_point <= 0xDFFF);
    text.code_units += code_point >= 0x10000 ? 2 : 1;
    i += taken;
  }
  if (bad_sequences == 0 && !surrogates) {
    if (owned != nullptr) {
      text.utf8 = std::move(*owned);
    } else {
      text.utf8.assign(bytes);
    }
    return text;
  }
  // Slow path, for damaged text only: through the code units.
  std::u16string units = Utf8UnitsImpl(bytes);
  Utf16Damage damage = AppendUtf16LeAsUtf8(UnitsAsUtf16Le(units), &text.utf8);
  text.lossy = bad_sequences > 0 || damage.any();
  if (!text.lossy) {  // surrogates that paired up (CESU-8): nothing was lost
    return text;
  }
  text.exact_json = Utf16ToJsonEscapedUtf8(units);
  text.problem_is_utf16 = bad_sequences == 0;
  if (bad_sequences > 0) {
    text.problem = fmt::format("{} invalid UTF-8 sequence{}, the first at byte {}", bad_sequences,
                               bad_sequences == 1 ? "" : "s", first_bad_offset);
  }
  if (damage.any()) {
    text.problem += (text.problem.empty() ? "" : "; ") + damage.Describe();
  }
  return text;
}

}  // namespace

DecodedText DecodeUtf8(std::string_view bytes) { return DecodeUtf8Impl(bytes, nullptr); }

DecodedText DecodeUtf8(std::string&& bytes) { return DecodeUtf8Impl(bytes, &bytes); }

std::u16string Utf8Units(std::string_view bytes) { return Utf8UnitsImpl(bytes); }

DecodedText DecodeUtf16Le(std::string_view bytes) {
  DecodedText text;
  Utf16Damage damage = AppendUtf16LeAsUtf8(bytes, &text.utf8);
  text.code_units = static_cast<int64_t>(bytes.size() / 2);
  if (damage.any()) {
    text.lossy = true;
    text.problem_is_utf16 = true;
    text.problem = damage.Describe();
    std::u16string units = Utf16LeUnits(bytes);
    if (damage.odd_byte) {
      units.push_back(static_cast<char16_t>(kReplacement));
    }
    text.exact_json = Utf16ToJsonEscapedUtf8(units);
  }
  return text;
}

}  // namespace ferry::firefox
