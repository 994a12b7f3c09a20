#include "agent/inspect/id_kind.h"

#include <algorithm>

namespace ferry {

namespace {

constexpr size_t kMaxIntegerDigits = 19;  // what an int64 holds, give or take the top values

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsInteger(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty() || text.size() > kMaxIntegerDigits) return false;
  if (text.size() > 1 && text.front() == '0') return false;  // "007" is a name, not 7
  return std::all_of(text.begin(), text.end(), IsDigit);
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_place ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

bool IsCrockford(char c) {
  char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  if (IsDigit(upper)) return true;
  return upper >= 'A' && upper <= 'Z' && upper != 'I' && upper != 'L' && upper != 'O' &&
         upper != 'U';
}

bool IsUlid(std::string_view text) {
  // The first character carries the top 3 bits of the 48-bit time: above '7' overflows.
  return text.size() == 26 && text[0] >= '0' && text[0] <= '7' &&
         std::all_of(text.begin(), text.end(), IsCrockford);
}

}  // namespace

const char* IdKindName(IdKind kind) {
  switch (kind) {
    case IdKind::kInteger:
      return "integer";
    case IdKind::kUuid:
      return "uuid";
    case IdKind::kUlid:
      return "ulid";
    case IdKind::kOther:
      return "other";
    case IdKind::kMissing:
      return "missing";
  }
  return "other";
}

IdKind ClassifyIdText(std::string_view text) {
  if (IsInteger(text)) return IdKind::kInteger;
  if (IsUuid(text)) return IdKind::kUuid;
  if (IsUlid(text)) return IdKind::kUlid;
  return IdKind::kOther;
}

IdKind ClassifyIdValue(simdjson::dom::element value) {
  if (value.is_null()) return IdKind::kMissing;
  if (value.is_int64() || value.is_uint64()) return IdKind::kInteger;
  if (value.is_string()) return ClassifyIdText(std::string_view(value));
  return IdKind::kOther;
}

}  // namespace ferry
