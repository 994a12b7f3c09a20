#include "extractors/common/json_string.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

#include "extractors/common/code_units.h"
#include "extractors/common/json_plain_run.h"

namespace ferry {

namespace {

constexpr uint32_t kReplacementCharacter = 0xFFFD;

// Appends to a string through a small buffer: a value of JSON text has an escape every few
// bytes, and a push_back or an append of its own for each cost more than the decoding did.
class BufferedAppend {
 public:
  explicit BufferedAppend(std::string* out) : out_(out) {}
  void Put(char c) {
    if (used_ == kSize) Flush();
    buffer_[used_++] = c;
  }
  void Append(const char* data, size_t size) {
    if (size > kSize - used_) {
      Flush();
      if (size >= kSize) {
        out_->append(data, size);
        return;
      }
    }
    std::memcpy(buffer_ + used_, data, size);
    used_ += size;
  }
  // REQUIRES: called before *out is read.
  void Flush() {
    out_->append(buffer_, used_);
    used_ = 0;
  }

 private:
  static constexpr size_t kSize = 4096;
  std::string* out_;
  char buffer_[kSize];
  size_t used_ = 0;
};

// Counts the bytes a decoded string would take, writing none (DecodedJsonStringSize).
class DecodedSizeSink {
 public:
  void Put(char) { ++size_; }
  void Append(const char*, size_t size) { size_ += size; }
  void Flush() {}
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
};

template <class Out>
void AppendCodePointUtf8(uint32_t code_point, Out* out) {
  char bytes[4];
  size_t length = 0;
  if (code_point < 0x80) {
    bytes[length++] = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    bytes[length++] = static_cast<char>(0xC0 | (code_point >> 6));
    bytes[length++] = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    bytes[length++] = static_cast<char>(0xE0 | (code_point >> 12));
    bytes[length++] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    bytes[length++] = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    bytes[length++] = static_cast<char>(0xF0 | (code_point >> 18));
    bytes[length++] = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    bytes[length++] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    bytes[length++] = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  out->Append(bytes, length);
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

namespace {

// The decoder of both: what it writes goes to `text` (BufferedAppend or DecodedSizeSink), so that
// measuring a string checks it exactly as decoding it does.
template <class Out>
Status DecodeJsonStringTo(std::string_view json, size_t quote, Out& text, bool* lossy) {
  if (quote >= json.size() || json[quote] != '"') {
    return Status::Corruption("expected a string");
  }
  size_t i = quote + 1;
  while (true) {
    if (i >= json.size()) {
      return Status::Corruption("the string has no closing quote");
    }
    char c = json[i];
    if (c == '"') {
      text.Flush();
      return Status::OK();
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return Status::Corruption(fmt::format(
          "control character 0x{:02x} in a string must be escaped", static_cast<int>(c)));
    }
    if (c != '\\') {
      // Copy the whole run of plain bytes at once.
      size_t run_end = i + 1 + JsonPlainRun(json.data() + i + 1, json.data() + json.size());
      text.Append(json.data() + i, run_end - i);
      i = run_end;
      continue;
    }
    if (i + 1 >= json.size()) {
      return Status::Corruption("the string has no closing quote");
    }
    char escaped = json[i + 1];
    switch (escaped) {
      case '"':
        text.Put('"');
        break;
      case '\\':
        text.Put('\\');
        break;
      case '/':
        text.Put('/');
        break;
      case 'b':
        text.Put('\b');
        break;
      case 'f':
        text.Put('\f');
        break;
      case 'n':
        text.Put('\n');
        break;
      case 'r':
        text.Put('\r');
        break;
      case 't':
        text.Put('\t');
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
            *lossy = true;
          }
        } else if (IsLowSurrogate(code_point)) {
          code_point = kReplacementCharacter;
          *lossy = true;
        }
        AppendCodePointUtf8(code_point, &text);
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

}  // namespace

Result<DecodedString> DecodeJsonString(std::string_view json, size_t quote) {
  DecodedString decoded;
  BufferedAppend text(&decoded.text);
  FERRY_RETURN_IF_ERROR(DecodeJsonStringTo(json, quote, text, &decoded.lossy));
  return decoded;
}

Result<uint64_t> DecodedJsonStringSize(std::string_view json, size_t quote) {
  DecodedSizeSink size;
  bool lossy = false;
  FERRY_RETURN_IF_ERROR(DecodeJsonStringTo(json, quote, size, &lossy));
  return size.size();
}

}  // namespace ferry
