#include "base/terminal_text.h"

#include <fmt/format.h>

#include <iostream>

namespace ferry {

namespace {

// Bidi controls and the line/paragraph separators: they reorder or break what is shown.
bool IsHiddenFormatting(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

// The length of the valid UTF-8 sequence at text[at] and its code point; 0 when invalid.
size_t DecodeUtf8(std::string_view text, size_t at, char32_t* code) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  unsigned char lead = byte(0);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xE  ? 3
                  : (lead >> 3) == 0x1E ? 4
                                        : 0;
  if (length == 0 || at + length > text.size()) {
    return 0;
  }
  char32_t value = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return 0;
    }
    value = (value << 6) | (byte(i) & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kSmallest[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *code = value;
  return length;
}

}  // namespace

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    char32_t code = 0;
    size_t length = DecodeUtf8(text, at, &code);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[at]));
      ++at;
      continue;
    }
    if ((code < 0x20 && code != '\n' && code != '\t') || code == 0x7F) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(code));
    } else if ((code >= 0x80 && code <= 0x9F) || IsHiddenFormatting(code)) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(code));
    } else {
      out.append(text.substr(at, length));
    }
    at += length;
  }
  return out;
}

TerminalSafeBuffer::int_type TerminalSafeBuffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) {
    return traits_type::not_eof(c);
  }
  pending_.push_back(traits_type::to_char_type(c));
  if (c == '\n' && !Pass(false)) {
    return traits_type::eof();
  }
  return c;
}

std::streamsize TerminalSafeBuffer::xsputn(const char* text, std::streamsize count) {
  pending_.append(text, static_cast<size_t>(count));
  if (pending_.find('\n') != std::string::npos && !Pass(false)) {
    return 0;
  }
  return count;
}

int TerminalSafeBuffer::sync() {
  if (!Pass(true)) {
    return -1;
  }
  return target_->pubsync();
}

bool TerminalSafeBuffer::Pass(bool all) {
  size_t end = all ? pending_.size() : pending_.rfind('\n') + 1;
  if (end == 0 || end > pending_.size()) {
    return true;
  }
  std::string safe = TerminalSafe(std::string_view(pending_).substr(0, end));
  pending_.erase(0, end);
  return target_->sputn(safe.data(), static_cast<std::streamsize>(safe.size())) ==
         static_cast<std::streamsize>(safe.size());
}

void InstallTerminalSafeOutput() {
  static bool installed = false;
  if (installed) {
    return;
  }
  installed = true;
  // Never destroyed: the standard streams are flushed at exit, after static destructors.
  std::cout.rdbuf(new TerminalSafeBuffer(std::cout.rdbuf()));
  std::cerr.rdbuf(new TerminalSafeBuffer(std::cerr.rdbuf()));
}

std::streambuf* UnfilteredBuffer(std::ostream& stream) {
  auto* safe = dynamic_cast<TerminalSafeBuffer*>(stream.rdbuf());
  return safe != nullptr ? safe->target() : stream.rdbuf();
}

}  // namespace ferry
