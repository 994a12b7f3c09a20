#include "extractors/common/json_exact.h"

#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "extractors/common/code_units.h"
#include "extractors/common/json_plain_run.h"
#include "extractors/common/utf16.h"

namespace ferry {

namespace {

// The escape for `c` (a byte below 0x20, '"' or '\'), else nullptr.
const char* ShortEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Writes the escape of `c` (NeedsEscape) at `out`, which has room for six bytes; returns its
// length.
inline size_t PutEscape(unsigned char c, char* out) {
  if (c == '"' || c == '\\') {  // the common one in a value of JSON text
    out[0] = '\\';
    out[1] = static_cast<char>(c);
    return 2;
  }
  if (const char* escape = ShortEscape(c)) {
    out[0] = escape[0];
    out[1] = escape[1];
    return 2;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::memcpy(out, "\\u00", 4);
  out[4] = kHex[c >> 4];
  out[5] = kHex[c & 0xF];
  return 6;
}

// Appends the UTF-16 code units of the one UTF-8 character at text[*at] to *units and moves
// *at past it; false when the bytes there are not a well-formed UTF-8 character.
bool TakeUtf8Character(std::string_view text, size_t* at, std::u16string* units) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(*at);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xE  ? 3
                  : (lead >> 3) == 0x1E ? 4
                                        : 0;
  if (length == 0 || *at + length > text.size()) return false;
  char32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    unsigned char next = byte(*at + k);
    if ((next & 0xC0) != 0x80) return false;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallest[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return false;  // overlong, out of range, or an encoded surrogate (CESU-8)
  }
  if (code_point >= 0x10000) {
    code_point -= 0x10000;
    units->push_back(static_cast<char16_t>(0xD800 + (code_point >> 10)));
    units->push_back(static_cast<char16_t>(0xDC00 + (code_point & 0x3FF)));
  } else {
    units->push_back(static_cast<char16_t>(code_point));
  }
  *at += length;
  return true;
}

}  // namespace

void AppendJsonBody(std::string_view text, std::string* out) {
  // Built in a small buffer and appended a few KiB at a time: appending each run and each
  // escape to *out cost more than the scan (a value of JSON text has a \" every few bytes).
  constexpr size_t kFlushAt = 4096;
  // Room past kFlushAt for one block all escaped (16 x 6) and a 16-byte copy's overrun.
  char buffer[kFlushAt + 128];
  size_t used = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p != end) {
    if (used >= kFlushAt) {
      out->append(buffer, used);
      used = 0;
    }
#if defined(__SSE2__)
    // Sixteen bytes at a time (SSE2 is part of x86-64): each byte to escape in the block in
    // turn, the plain bytes before it copied as one 16-byte move (only those kept), so that a
    // block with several escapes is looked at once.
    if (end - p >= 16) {
      uint32_t special = JsonSpecialMask16(p);
      char block[32];  // the block, and room for a 16-byte copy from any place in it
      std::memcpy(block, p, 16);
      size_t from = 0;
      while (special != 0) {
        auto at = static_cast<size_t>(std::countr_zero(special));
        special &= special - 1;
        std::memcpy(buffer + used, block + from, 16);
        used += at - from;
        used += PutEscape(static_cast<unsigned char>(block[at]), buffer + used);
        from = at + 1;
      }
      std::memcpy(buffer + used, block + from, 16);
      used += 16 - from;
      p += 16;
      continue;
    }
#endif
    if (end - p >= 8) {
      // Eight bytes copied at once; only those before the first to escape are kept.
      uint64_t word;
      std::memcpy(&word, p, sizeof word);
      std::memcpy(buffer + used, &word, sizeof word);
      uint64_t special = JsonSpecialBytes(word);
      size_t plain = special == 0 ? 8 : static_cast<size_t>(std::countr_zero(special)) / 8;
      used += plain;
      p += plain;
      if (plain == 8) continue;
    }
    auto c = static_cast<unsigned char>(*p++);
    if (NeedsEscape(c)) {
      used += PutEscape(c, buffer + used);
    } else {
      buffer[used++] = static_cast<char>(c);
    }
  }
  out->append(buffer, used);
}

std::string JsonBody(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendJsonBody(text, &out);
  return out;
}

Result<std::string> ExactJsonBody(std::string_view json, size_t quote) {
  if (quote >= json.size() || json[quote] != '"') {
    return Status::Corruption("expected a string");
  }
  std::u16string units;
  size_t i = quote + 1;
  while (true) {
    if (i >= json.size()) return Status::Corruption("the string has no closing quote");
    char c = json[i];
    if (c == '"') break;
    if (static_cast<unsigned char>(c) < 0x20) {
      return Status::Corruption(fmt::format(
          "control character 0x{:02x} in a string must be escaped", static_cast<int>(c)));
    }
    if (c != '\\') {
      if (!TakeUtf8Character(json, &i, &units)) {
        return Status::Corruption(
            fmt::format("byte 0x{:02x} is not UTF-8 here", static_cast<unsigned char>(c)));
      }
      continue;
    }
    if (i + 1 >= json.size()) return Status::Corruption("the string has no closing quote");
    char escaped = json[i + 1];
    static constexpr std::string_view kFrom = "\"\\/bfnrt";
    static constexpr std::u16string_view kTo = u"\"\\/\b\f\n\r\t";
    if (size_t k = kFrom.find(escaped); k != std::string_view::npos) {
      units.push_back(kTo[k]);
      i += 2;
      continue;
    }
    if (escaped != 'u' || i + 6 > json.size()) {
      return Status::Corruption(fmt::format("invalid escape \\{} in a string", escaped));
    }
    uint32_t unit = 0;
    for (size_t k = i + 2; k < i + 6; ++k) {
      int digit = HexValue(json[k]);
      if (digit < 0) return Status::Corruption("\\u must be followed by four hex digits");
      unit = unit * 16 + static_cast<uint32_t>(digit);
    }
    units.push_back(static_cast<char16_t>(unit));  // pairs are joined by the escaper below
    i += 6;
  }
  return Utf16ToJsonEscapedUtf8(units);
}

}  // namespace ferry
