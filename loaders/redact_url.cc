#include "loaders/redact_url.h"

#include <cctype>

namespace ferry {

namespace {

constexpr std::string_view kMask = "****";

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool MatchesNoCase(std::string_view text, size_t at, std::string_view word) {
  if (text.size() - at < word.size()) {
    return false;
  }
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(text[at + i]) != word[i]) {
      return false;
    }
  }
  return true;
}

// The URL's scheme ("postgresql"), or "" when `url` has no "scheme://".
std::string_view SchemeOf(std::string_view url) {
  size_t end = url.find("://");
  if (end == std::string_view::npos || end == 0) {
    return {};
  }
  for (size_t i = 0; i < end; ++i) {
    char c = url[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return {};
    }
  }
  return url.substr(0, end);
}

// Replaces "user:password@" with "user:****@", the userinfo ending at the last '@'.
std::string RedactUserinfo(std::string_view url) {
  std::string_view scheme = SchemeOf(url);
  if (scheme.empty() || MatchesNoCase(scheme, 0, "sqlite") || MatchesNoCase(scheme, 0, "file")) {
    return std::string(url);
  }
  size_t authority = scheme.size() + 3;
  size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < authority) {
    return std::string(url);
  }
  size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) {
    return std::string(url);
  }
  std::string out(url.substr(0, colon + 1));
  out += kMask;
  out += url.substr(at);
  return out;
}

// True when text[at...] looks like the start of another "key=" parameter.
bool StartsParameter(std::string_view text, size_t at) {
  size_t i = at;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
    ++i;
  }
  return i > at && i < text.size() && text[i] == '=';
}

// The end of an unquoted password value starting at `at`.
size_t EndOfValue(std::string_view text, size_t at, bool in_url) {
  size_t i = at;
  while (i < text.size() && !IsSpace(text[i])) {
    if (in_url && text[i] == '#') {
      break;
    }
    if (in_url && text[i] == '&' && StartsParameter(text, i + 1)) {
      break;
    }
    ++i;
  }
  return i;
}

// The end of a conninfo value quoted with '...' (backslash escapes) starting at the quote.
size_t EndOfQuotedValue(std::string_view text, size_t quote) {
  size_t i = quote + 1;
  while (i < text.size() && text[i] != '\'') {
    i += (text[i] == '\\' && i + 1 < text.size()) ? 2 : 1;
  }
  return i < text.size() ? i + 1 : i;
}

// Replaces the values of "password=" / "sslpassword=" parameters and conninfo keywords.
std::string RedactPasswordKeywords(std::string_view text, bool in_url) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool boundary = i == 0 || text[i - 1] == '?' || text[i - 1] == '&' || IsSpace(text[i - 1]);
    size_t word = 0;
    if (boundary && MatchesNoCase(text, i, "password")) {
      word = 8;
    } else if (boundary && MatchesNoCase(text, i, "sslpassword")) {
      word = 11;
    }
    if (word > 0) {
      size_t j = i + word;
      while (j < text.size() && IsSpace(text[j])) {
        ++j;
      }
      if (j < text.size() && text[j] == '=') {
        ++j;
        while (j < text.size() && IsSpace(text[j])) {
          ++j;
        }
        out += text.substr(i, j - i);
        out += kMask;
        i = (j < text.size() && text[j] == '\'') ? EndOfQuotedValue(text, j)
                                                 : EndOfValue(text, j, in_url);
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  bool in_url = !SchemeOf(url).empty();
  return RedactPasswordKeywords(RedactUserinfo(url), in_url);
}

}  // namespace ferry
