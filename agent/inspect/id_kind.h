// IdKind: what a legacy id looks like, for `ferry inspect` (integer, UUID, ULID, other).
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace ferry {

enum class IdKind {
  kInteger,  // a JSON integer, or a string of decimal digits (optional '-', no leading zero)
  kUuid,     // 8-4-4-4-12 hex digits, any case, any version
  kUlid,     // 26 Crockford base-32 characters, any case, the first at most '7'
  kOther,    // any other string ("task-17"), a float, a boolean
  kMissing,  // absent or null
};

// Every kind, in the order reports list them.
inline constexpr IdKind kIdKinds[] = {IdKind::kInteger, IdKind::kUuid, IdKind::kUlid,
                                      IdKind::kOther, IdKind::kMissing};

// "integer", "uuid", "ulid", "other", "missing".
const char* IdKindName(IdKind kind);

// The kind of an id written as text (a string's contents).
IdKind ClassifyIdText(std::string_view text);

// The kind of an id field's value (kMissing for null).
IdKind ClassifyIdValue(simdjson::dom::element value);

}  // namespace ferry
