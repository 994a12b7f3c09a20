#include "loaders/postgresql/secrets.h"

#include <algorithm>
#include <cstdlib>

#include "loaders/redact_url.h"

namespace ferry::postgres {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

void Add(std::vector<std::string>* secrets, std::string_view value) {
  if (value.empty()) {
    return;
  }
  for (std::string candidate : {std::string(value), PercentDecoded(value)}) {
    if (std::find(secrets->begin(), secrets->end(), candidate) == secrets->end()) {
      secrets->push_back(std::move(candidate));
    }
  }
}

// The password of "scheme://user:password@host...": the userinfo ends at the last '@'.
void AddUserinfoPassword(std::string_view url, std::vector<std::string>* secrets) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return;
  }
  size_t authority = scheme_end + 3;
  size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < authority) {
    return;
  }
  size_t colon = url.find(':', authority);
  if (colon != std::string_view::npos && colon < at) {
    Add(secrets, url.substr(colon + 1, at - colon - 1));
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A conninfo value quoted with '...' starting at text[quote]: the value with its backslash
// escapes undone, and *end set after the closing quote.
std::string QuotedValue(std::string_view text, size_t quote, size_t* end) {
  std::string value;
  size_t i = quote + 1;
  while (i < text.size() && text[i] != '\'') {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    value += text[i++];
  }
  *end = i < text.size() ? i + 1 : i;
  return value;
}

// The values of "password=VALUE" (URL query parameter) and "password = VALUE" / "password =
// 'QUOTED VALUE'" (conninfo keyword).
void AddPasswordParameters(std::string_view url, std::vector<std::string>* secrets) {
  static constexpr std::string_view kKey = "password";
  size_t at = 0;
  while ((at = url.find(kKey, at)) != std::string_view::npos) {
    size_t start = at + kKey.size();
    while (start < url.size() && IsSpace(url[start])) ++start;
    if (start >= url.size() || url[start] != '=') {
      at = start;
      continue;
    }
    ++start;
    while (start < url.size() && IsSpace(url[start])) ++start;
    size_t end = start;
    if (start < url.size() && url[start] == '\'') {
      Add(secrets, QuotedValue(url, start, &end));
      bool closed = end - start >= 2 && url[end - 1] == '\'';
      Add(secrets, url.substr(start + 1, end - start - (closed ? 2 : 1)));  // as written
    } else {
      while (end < url.size() && url[end] != '&' && !IsSpace(url[end]) && url[end] != '#') {
        ++end;
      }
      Add(secrets, url.substr(start, end - start));
    }
    at = end;
  }
}

}  // namespace

std::vector<std::string> ConnectionSecrets(std::string_view url) {
  std::vector<std::string> secrets;
  AddUserinfoPassword(url, &secrets);
  AddPasswordParameters(url, &secrets);
  if (const char* env = std::getenv("PGPASSWORD")) {
    Add(&secrets, env);
  }
  // Longest first, so that a secret holding another is hidden whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

std::string ScrubSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) {
      continue;
    }
    size_t at = 0;
    while ((at = out.find(secret, at)) != std::string::npos) {
      out.replace(at, secret.size(), "****");
      at += 4;
    }
  }
  return RedactUrl(out);
}

}  // namespace ferry::postgres
