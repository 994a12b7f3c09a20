#include "extractors/dump/json_scan.h"

#include <simdjson.h>

#include <algorithm>
#include <functional>
#include <string>

#include "extractors/common/json_error.h"
#include "extractors/common/json_plain_run.h"

namespace ferry {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Strict-grammar checks of one token at text[*at]; each moves *at past it, or sets *error.
// With `check_contents` false only the closing quote is looked for (a backslash skips a byte),
// as SkipJsonString does: the string's decoder judges its escapes and control characters.
bool ScanString(std::string_view text, size_t* at, JsonScanError* error, bool check_contents) {
  size_t i = *at + 1;
  while (i < text.size()) {
    i += JsonPlainRun(text.data() + i, text.data() + text.size());  // eight bytes at a time
    if (i >= text.size()) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"') {
      *at = i + 1;
      return true;
    }
    if (!check_contents && c != '\\') {
      ++i;
      continue;
    }
    if (!check_contents) {
      i += 2;
      continue;
    }
    if (c < 0x20) {
      *error = {i, "a control character in a string (it must be escaped)"};
      return false;
    }
    if (c != '\\') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) break;
    char e = text[i + 1];
    if (e == 'u') {
      for (size_t k = i + 2; k < i + 6; ++k) {
        if (k >= text.size()) break;
        if (!IsHex(text[k])) {
          *error = {i, "a \\u escape needs 4 hex digits"};
          return false;
        }
      }
      i += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
               e == 't') {
      i += 2;
    } else {
      *error = {i, "an invalid escape in a string"};
      return false;
    }
  }
  *error = {*at, "a string is not closed before the end of the file"};
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
bool ScanValueStart(std::string_view text, size_t* at, char* opened, JsonScanError* error,
                    bool check_strings) {
  *opened = 0;
  size_t start = *at;
  if (start >= text.size()) {
    *error = {start, "the file ends where a value should be"};
    return false;
  }
  bool ok;
  switch (text[start]) {
    case '{':
    case '[':
      *opened = text[(*at)++];
      return true;
    case '"':
      return ScanString(text, at, error, check_strings);
    case 't':
      ok = ScanWord(text, at, "true");
      break;
    case 'f':
      ok = ScanWord(text, at, "false");
      break;
    case 'n':
      ok = ScanWord(text, at, "null");
      break;
    default:
      ok = ScanNumber(text, at);
  }
  if (!ok)
    *error = {start, "not a JSON value (a string, number, object, array, true, false or null)"};
  return ok;
}

// A member's key and its ':' at text[*at], moving *at to its value.
bool ScanKey(std::string_view text, size_t* at, JsonScanError* error, bool check_strings) {
  if (*at >= text.size() || text[*at] != '"') {
    *error = {*at, "an object member must start with a key (a string)"};
    return false;
  }
  if (!ScanString(text, at, error, check_strings)) return false;
  *at = SkipJsonSpace(text, *at);
  if (*at >= text.size() || text[*at] != ':') {
    *error = {*at, "a key must be followed by ':'"};
    return false;
  }
  *at = SkipJsonSpace(text, *at + 1);
  return true;
}

// The first byte of text that is not UTF-8, checked a block at a time (simdjson's validator on
// each, the exact byte found only in a block that fails), or text.size().
size_t FirstBadUtf8(std::string_view text, const std::function<void(size_t)>& passed) {
  constexpr size_t kBlock = size_t{1} << 20;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kBlock);
    // End the block before a sequence it would cut (a continuation byte is 10xxxxxx).
    for (int back = 0; back < 3 && end < text.size() && end > start + 1 &&
                       (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80;
         ++back) {
      --end;
    }
    std::string_view block = text.substr(start, end - start);
    if (!simdjson::validate_utf8(block.data(), block.size())) {
      int64_t bad = FirstInvalidUtf8(text.substr(start));
      return bad < 0 ? end : start + static_cast<size_t>(bad);
    }
    start = end;
    if (passed) passed(start);
  }
  return text.size();
}

}  // namespace

size_t SkipJsonSpace(std::string_view text, size_t at) {
  while (at < text.size() && IsSpace(text[at])) ++at;
  return at;
}

namespace {

bool ScanJson(std::string_view text, size_t max_depth, bool check_strings, size_t* members,
              JsonScanError* error, const std::function<void(size_t)>& passed) {
  *members = 0;
  size_t bad = FirstBadUtf8(text, passed);
  if (bad < text.size()) {
    *error = {bad, "the file is not valid UTF-8 here"};
    return false;
  }
  constexpr size_t kPassedStep = size_t{16} << 20;
  size_t next_passed = kPassedStep;
  std::string open;  // the containers the scan is in, innermost last
  size_t at = SkipJsonSpace(text, 0);
  // Each turn reads a value (after a key's ':' in an object) and what follows it.
  for (bool need_value = true;;) {
    if (passed && at >= next_passed) {
      passed(at);
      next_passed = at + kPassedStep;
    }
    if (need_value) {
      char opened;
      if (!ScanValueStart(text, &at, &opened, error, check_strings)) return false;
      at = SkipJsonSpace(text, at);
      if (opened != 0) {
        if (open.size() >= max_depth) {
          *error = {at - 1, "nested deeper than the levels a file may hold"};
          return false;
        }
        open.push_back(opened);
        char close = opened == '{' ? '}' : ']';
        if (at < text.size() && text[at] == close) {
          open.pop_back();
          at = SkipJsonSpace(text, at + 1);
        } else if (opened == '{') {
          if (!ScanKey(text, &at, error, check_strings)) return false;
          ++*members;
          continue;
        } else {
          continue;
        }
      }
    }
    if (open.empty()) {
      if (at == text.size()) return true;
      *error = {at, "more content after the JSON value"};
      return false;
    }
    char in = open.back();
    if (at >= text.size()) {
      *error = {at, in == '{' ? "the file ends inside an object" : "the file ends inside an array"};
      return false;
    }
    if (text[at] == ',') {
      at = SkipJsonSpace(text, at + 1);
      if (in == '{') {
        if (!ScanKey(text, &at, error, check_strings)) return false;
        ++*members;
      }
      need_value = true;
    } else if (text[at] == (in == '{' ? '}' : ']')) {
      open.pop_back();
      at = SkipJsonSpace(text, at + 1);
      need_value = false;
    } else {
      *error = {at, in == '{' ? "expected ',' or '}' after an object member"
                              : "expected ',' or ']' after an array element"};
      return false;
    }
  }
}

}  // namespace

bool IsStrictJson(std::string_view text, size_t max_depth, size_t* members) {
  JsonScanError ignored;
  return ScanJson(text, max_depth, /*check_strings=*/true, members, &ignored, {});
}

bool IsJsonGrammar(std::string_view text, size_t max_depth, size_t* members, JsonScanError* error,
                   const std::function<void(size_t)>& passed) {
  return ScanJson(text, max_depth, /*check_strings=*/false, members, error, passed);
}

size_t SkipJsonString(std::string_view text, size_t quote) {
  size_t i = quote + 1;
  while (i < text.size()) {
    i += JsonPlainRun(text.data() + i, text.data() + text.size());  // eight bytes at a time
    if (i >= text.size() || text[i] == '"') break;
    i += text[i] == '\\' ? 2 : 1;  // an escape, or a control character (not judged here)
  }
  return i + 1;
}

size_t SkipJsonValue(std::string_view text, size_t at, const std::function<void(size_t)>& passed) {
  constexpr size_t kPassedStep = size_t{8} << 20;
  size_t next_passed = at + kPassedStep;
  size_t depth = 0;
  do {
    if (passed && at >= next_passed) {
      passed(at);
      next_passed = at + kPassedStep;
    }
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
