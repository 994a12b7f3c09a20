#include "extractors/common/json_error.h"

#include <fmt/format.h>

#include "extractors/common/text_position.h"

namespace ferry {

namespace {

// The opening quote of the string still open at the end of `text`, or -1.
int64_t UnclosedStringStart(std::string_view text) {
  int64_t open_quote = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (open_quote >= 0) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        open_quote = -1;
      }
    } else if (c == '"') {
      open_quote = static_cast<int64_t>(i);
    }
  }
  return open_quote;
}

int64_t EndOfContent(std::string_view text) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' ||
                     text[end - 1] == '\t')) {
    --end;
  }
  return static_cast<int64_t>(end);
}

}  // namespace

Location LocateInText(const std::string& file, std::string_view text, int64_t offset) {
  Location where;
  where.file = file;
  if (offset >= 0) {
    TextPosition(text).Locate(offset, &where);
  }
  return where;
}

Status JsonCorruption(const std::string& file, std::string_view text, int64_t offset,
                      std::string_view message) {
  if (offset < 0) {
    return Status::Corruption(fmt::format("{}: {}", file, message));
  }
  return JsonCorruptionAt(LocateInText(file, text, offset), message);
}

Status JsonCorruptionAt(const Location& where, std::string_view message) {
  if (where.offset < 0) {
    return Status::Corruption(fmt::format("{}: {}", where.file, message));
  }
  return Status::Corruption(fmt::format("{}: byte {} (line {}, column {}): {}", where.file,
                                        where.offset, where.line, where.column, message));
}

Status JsonCorruption(const std::string& file, std::string_view text, int64_t offset,
                      simdjson::error_code error) {
  return JsonCorruption(file, text, offset, simdjson::error_message(error));
}

int64_t LocateWholeTextError(std::string_view text, simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return FirstInvalidUtf8(text);
    case simdjson::UNCLOSED_STRING:
      return UnclosedStringStart(text);
    case simdjson::EMPTY:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return EndOfContent(text);
    default:
      return -1;
  }
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxBytes = 80;
  std::string out = "\"";
  size_t i = 0;
  for (; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (i >= kMaxBytes && (c & 0xC0) != 0x80) {
      break;
    }
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04x}", c);
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += i < text.size() ? "\"..." : "\"";
  return out;
}

int64_t FirstInvalidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    unsigned char lead = bytes[i];
    size_t length;
    uint32_t min_code_point;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      min_code_point = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      min_code_point = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      min_code_point = 0x10000;
    } else {
      return static_cast<int64_t>(i);
    }
    if (i + length > size) {
      return static_cast<int64_t>(i);
    }
    uint32_t code_point = lead & (0xFF >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) {
        return static_cast<int64_t>(i);
      }
      code_point = (code_point << 6) | (bytes[i + k] & 0x3F);
    }
    bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    if (code_point < min_code_point || surrogate || code_point > 0x10FFFF) {
      return static_cast<int64_t>(i);
    }
    i += length;
  }
  return -1;
}

}  // namespace ferry
