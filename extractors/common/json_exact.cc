#include "extractors/common/json_exact.h"

#include <fmt/format.h>

#include "extractors/common/code_units.h"
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
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size() && !NeedsEscape(static_cast<unsigned char>(text[run]))) ++run;
    out->append(text.data() + i, run - i);
    if (run == text.size()) return;
    auto c = static_cast<unsigned char>(text[run]);
    if (const char* escape = ShortEscape(c)) {
      out->append(escape);
    } else {
      out->append(fmt::format("\\u{:04x}", c));
    }
    i = run + 1;
  }
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
