#include "agent/mapping/names.h"

#include <cstdint>

#include "transformers/field_path.h"

namespace ferry {

namespace {

bool HasControl(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      code = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      code = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) {
      return false;
    }
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) {
        return false;
      }
      code = (code << 6) | (next & 0x3f);
    }
    if ((extra == 2 && code < 0x800) || (extra == 3 && (code < 0x10000 || code > 0x10ffff)) ||
        (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string IdentifierProblem(std::string_view name) {
  if (name.empty()) {
    return "is empty";
  }
  if (name.size() > kMaxIdentifierBytes) {
    return "is longer than " + std::to_string(kMaxIdentifierBytes) + " bytes (" +
           std::to_string(name.size()) + ")";
  }
  if (name.find('\0') != std::string_view::npos) {
    return "contains a NUL byte";
  }
  if (HasControl(name)) {
    return "contains a control character";
  }
  if (!IsValidUtf8(name)) {
    return "is not valid UTF-8";
  }
  return "";
}

std::string EntityNameProblem(std::string_view name) {
  std::string problem = IdentifierProblem(name);
  if (problem.empty() && name.find(',') != std::string_view::npos) {
    problem = "contains ',' (which separates entities in --include and --exclude)";
  }
  return problem;
}

std::string FieldPathProblem(std::string_view path) {
  if (path.empty()) {
    return "is empty";
  }
  if (HasControl(path)) {
    return "contains a control character";
  }
  if (!IsValidUtf8(path)) {
    return "is not valid UTF-8";
  }
  for (const std::string& member : FieldPathMembers(path)) {
    if (member.empty()) return "has an empty segment (paths are written a.b.c)";
  }
  return "";
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace ferry
