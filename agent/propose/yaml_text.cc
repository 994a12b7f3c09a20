#include "agent/propose/yaml_text.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

namespace ferry::propose {

namespace {

// The code point starting at text[i] and its length; a stray byte is itself.
std::pair<uint32_t, size_t> CodePoint(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t first = byte(i);
  size_t length = first < 0x80 ? 1 : (first >> 5) == 6 ? 2 : (first >> 4) == 14 ? 3 : 4;
  if (i + length > text.size()) return {first, 1};
  uint32_t point = length == 1 ? first : first & (0x7f >> length);
  for (size_t k = 1; k < length; ++k) point = (point << 6) | (byte(i + k) & 0x3f);
  return {point, length};
}

bool Invisible(uint32_t point) {
  return point < 0x20 || point == 0x7f || (point >= 0x80 && point < 0xa0) || point == 0x2028 ||
         point == 0x2029 || (point >= 0x200e && point <= 0x200f) ||
         (point >= 0x202a && point <= 0x202e) || (point >= 0x2066 && point <= 0x2069) ||
         point == 0xfeff;
}

}  // namespace

std::string YamlQuote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    auto [point, length] = CodePoint(text, i);
    if (point == '"' || point == '\\') {
      out += '\\';
      out += static_cast<char>(point);
    } else if (Invisible(point)) {
      out += point <= 0xff ? fmt::format("\\x{:02x}", point) : fmt::format("\\u{:04x}", point);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  out += '"';
  return out;
}

std::string CommentText(std::string_view text, size_t limit) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto [point, length] = CodePoint(text, i);
    if (out.size() + length > limit) {
      out += "...";
      break;
    }
    if (Invisible(point)) {
      out += '?';
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string SnakeName(std::string_view text) {
  std::string out;
  char previous = 0;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isupper(u) && (std::islower(static_cast<unsigned char>(previous)) ||
                            std::isdigit(static_cast<unsigned char>(previous)))) {
      out += '_';
    }
    if (std::isalnum(u) && u < 0x80) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
    previous = c;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.size() > 48) out.resize(48);
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) out.assign(1, 'x');
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, 1, 'n');
  return out;
}

}  // namespace ferry::propose
