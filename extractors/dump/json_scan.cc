#include "extractors/dump/json_scan.h"

#include <simdjson.h>

#include <string>

namespace ferry {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Strict-grammar checks of one token at text[*at]; each moves *at past it.
bool ScanString(std::string_view text, size_t* at) {
  size_t i = *at + 1;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"') {
      *at = i + 1;
      return true;
    }
    if (c < 0x20) return false;
    if (c != '\\') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return false;
    char e = text[i + 1];
    if (e == 'u') {
      if (i + 6 > text.size()) return false;
      for (size_t k = i + 2; k < i + 6; ++k) {
        if (!IsHex(text[k])) return false;
      }
      i += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
               e == 't') {
      i += 2;
    } else {
      return false;
    }
  }
  return false;
}

bool ScanDigits(std::string_view text, size_t* at) {
  size_t start = *at;
  while (*at < text.size() && IsDigit(text[*at])) ++*at;
  return *at > start;
}

bool ScanNumber(std::string_view text, size_t* at) {
  if (text[*at] == '-') ++*at;
  if (*at >= text.size()) return false;
  if (text[*at] == '0') {
    ++*at;
  } else if (!ScanDigits(text, at)) {
    return false;
  }
  if (*at < text.size() && text[*at] == '.') {
    ++*at;
    if (!ScanDigits(text, at)) return false;
  }
  if (*at < text.size() && (text[*at] == 'e' || text[*at] == 'E')) {
    ++*at;
    if (*at < text.size() && (text[*at] == '+' || text[*at] == '-')) ++*at;
    if (!ScanDigits(text, at)) return false;
  }
  return true;
}

bool ScanWord(std::string_view text, size_t* at, std::string_view word) {
  if (text.substr(*at, word.size()) != word) return false;
  *at += word.size();
  return true;
}

// A scalar or the opening of a container at text[*at]; `*opened` gets '{' or '[' for one.
bool ScanValueStart(std::string_view text, size_t* at, char* opened) {
  *opened = 0;
  if (*at >= text.size()) return false;
  switch (text[*at]) {
    case '{':
    case '[':
      *opened = text[(*at)++];
      return true;
    case '"':
      return ScanString(text, at);
    case 't':
      return ScanWord(text, at, "true");
    case 'f':
      return ScanWord(text, at, "false");
    case 'n':
      return ScanWord(text, at, "null");
    default:
      return ScanNumber(text, at);
  }
}

}  // namespace

size_t SkipJsonSpace(std::string_view text, size_t at) {
  while (at < text.size() && IsSpace(text[at])) ++at;
  return at;
}

bool IsStrictJson(std::string_view text, size_t max_depth, size_t* members) {
  *members = 0;
  if (!simdjson::validate_utf8(text.data(), text.size())) return false;
  std::string open;  // the containers the scan is in, innermost last
  size_t at = SkipJsonSpace(text, 0);
  // Each turn reads a value (after a key's ':' in an object) and what follows it.
  for (bool need_value = true;;) {
    if (need_value) {
      char opened;
      if (!ScanValueStart(text, &at, &opened)) return false;
      at = SkipJsonSpace(text, at);
      if (opened != 0) {
        if (open.size() >= max_depth) return false;
        open.push_back(opened);
        char close = opened == '{' ? '}' : ']';
        if (at < text.size() && text[at] == close) {
          open.pop_back();
          at = SkipJsonSpace(text, at + 1);
        } else if (opened == '{') {
          if (at >= text.size() || text[at] != '"' || !ScanString(text, &at)) return false;
          ++*members;
          at = SkipJsonSpace(text, at);
          if (at >= text.size() || text[at] != ':') return false;
          at = SkipJsonSpace(text, at + 1);
          continue;
        } else {
          continue;
        }
      }
    }
    if (open.empty()) return at == text.size();
    if (at >= text.size()) return false;
    char in = open.back();
    if (text[at] == ',') {
      at = SkipJsonSpace(text, at + 1);
      if (in == '{') {
        if (at >= text.size() || text[at] != '"' || !ScanString(text, &at)) return false;
        ++*members;
        at = SkipJsonSpace(text, at);
        if (at >= text.size() || text[at] != ':') return false;
        at = SkipJsonSpace(text, at + 1);
      }
      need_value = true;
    } else if (text[at] == (in == '{' ? '}' : ']')) {
      open.pop_back();
      at = SkipJsonSpace(text, at + 1);
      need_value = false;
    } else {
      return false;
    }
  }
}

size_t SkipJsonString(std::string_view text, size_t quote) {
  size_t i = quote + 1;
  while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
  return i + 1;
}

size_t SkipJsonValue(std::string_view text, size_t at) {
  size_t depth = 0;
  do {
    char c = text[at];
    if (c == '"') {
      at = SkipJsonString(text, at);
    } else {
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++at;
      // A scalar outside a container ends at the first byte that cannot be in it.
      while (depth == 0 && at < text.size() && c != '}' && c != ']' && c != '{' && c != '[' &&
             !IsSpace(text[at]) && text[at] != ',' && text[at] != '}' && text[at] != ']') {
        ++at;
      }
    }
  } while (depth > 0);
  return at;
}

}  // namespace ferry
