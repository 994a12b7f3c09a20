#include "agent/argv_secrets.h"

#include <cctype>
#include <cstring>
#include <string_view>

namespace ferry {

namespace {

void Blank(char* from, size_t count) { std::memset(from, 'x', count); }

// "scheme://user:PASSWORD@host...": blanks PASSWORD.
void HideUrlPassword(char* text) {
  std::string_view view(text);
  size_t scheme = view.find("://");
  if (scheme == std::string_view::npos) {
    return;
  }
  size_t start = scheme + 3;
  size_t at = view.find('@', start);
  size_t slash = view.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return;
  }
  size_t colon = view.find(':', start);
  if (colon != std::string_view::npos && colon < at) {
    Blank(text + colon + 1, at - colon - 1);
  }
}

// "password=VALUE" (a URL parameter or a conninfo keyword, any case): blanks VALUE.
void HidePasswordParameter(char* text) {
  constexpr std::string_view kKey = "password";
  size_t length = std::strlen(text);
  for (size_t i = 0; i + kKey.size() < length; ++i) {
    bool match = true;
    for (size_t j = 0; j < kKey.size() && match; ++j) {
      match = std::tolower(static_cast<unsigned char>(text[i + j])) == kKey[j];
    }
    if (!match) continue;
    size_t value = i + kKey.size();
    while (value < length && text[value] == ' ') ++value;
    if (value >= length || text[value] != '=') continue;
    ++value;
    while (value < length && text[value] == ' ') ++value;
    size_t end = value;
    bool quoted = end < length && text[end] == '\'';
    if (quoted) ++end;
    while (end < length && (quoted ? text[end] != '\'' : (text[end] != '&' && text[end] != ' '))) {
      ++end;
    }
    Blank(text + value, end - value + (quoted && end < length ? 1 : 0));
  }
}

}  // namespace

std::vector<std::string> TakeArgumentsHidingPasswords(int argc, char** argv) {
  std::vector<std::string> arguments(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    HideUrlPassword(argv[i]);
    HidePasswordParameter(argv[i]);
  }
  return arguments;
}

}  // namespace ferry
