#include "extractors/common/json_string.h"

#include <fmt/format.h>

#include <cstdint>

#include "extractors/common/code_units.h"

namespace ferry {

namespace {

constexpr uint32_t kReplacementCharacter = 0xFFFD;

void AppendCodePointUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Reads the four hex digits of "\uXXXX" whose backslash is at json[at]; -1 if malformed.
int64_t ReadUnicodeEscape(std::string_view json, size_t at) {
  if (at + 6 > json.size() || json[at] != '\\' || json[at + 1] != 'u') {
    return -1;
  }
  int64_t unit = 0;
  for (size_t k = at + 2; k < at + 6; ++k) {
    int digit = HexValue(json[k]);
    if (digit < 0) {
      return -1;
    }
    unit = unit * 16 + digit;
  }
  return unit;
}

}  // namespace

Result<DecodedString> DecodeJsonString(std::string_view json, size_t quote) {
  if (quote >= json.size() || json[quote] != '"') {
    return Status::Corruption("expected a string");
  }
  DecodedString decoded;
  size_t i = quote + 1;
  while (true) {
    if (i >= json.size()) {
      return Status::Corruption("the string has no closing quote");
    }
    char c = json[i];
    if (c == '"') {
      return decoded;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return Status::Corruption(fmt::format(
          "control character 0x{:02x} in a string must be escaped", static_cast<int>(c)));
    }
    if (c != '\\') {
      // Copy the whole run of plain bytes at once.
      size_t run_end = i + 1;
      while (run_end < json.size() && json[run_end] != '"' && json[run_end] != '\\' &&
             static_cast<unsigned char>(json[run_end]) >= 0x20) {
        ++run_end;
      }
      decoded.text.append(json.data() + i, run_end - i);
      i = run_end;
      continue;
    }
    if (i + 1 >= json.size()) {
      return Status::Corruption("the string has no closing quote");
    }
    char escaped = json[i + 1];
    switch (escaped) {
      case '"':
        decoded.text.push_back('"');
        break;
      case '\\':
        decoded.text.push_back('\\');
        break;
      case '/':
        decoded.text.push_back('/');
        break;
      case 'b':
        decoded.text.push_back('\b');
        break;
      case 'f':
        decoded.text.push_back('\f');
        break;
      case 'n':
        decoded.text.push_back('\n');
        break;
      case 'r':
        decoded.text.push_back('\r');
        break;
      case 't':
        decoded.text.push_back('\t');
        break;
      case 'u': {
        int64_t unit = ReadUnicodeEscape(json, i);
        if (unit < 0) {
          return Status::Corruption("\\u must be followed by four hex digits");
        }
        i += 6;
        uint32_t code_point = static_cast<uint32_t>(unit);
        if (IsHighSurrogate(code_point)) {
          int64_t low = ReadUnicodeEscape(json, i);
          if (low >= 0 && IsLowSurrogate(static_cast<uint32_t>(low))) {
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else {
            code_point = kReplacementCharacter;
            decoded.lossy = true;
          }
        } else if (IsLowSurrogate(code_point)) {
          code_point = kReplacementCharacter;
          decoded.lossy = true;
        }
        AppendCodePointUtf8(code_point, &decoded.text);
        continue;
      }
      default:
        if (escaped > 0x20 && escaped < 0x7F) {
          return Status::Corruption(fmt::format("invalid escape \\{} in a string", escaped));
        }
        return Status::Corruption(fmt::format("invalid escape: a backslash before byte 0x{:02x}",
                                              static_cast<unsigned char>(escaped)));
    }
    i += 2;
  }
}

}  // namespace ferry
