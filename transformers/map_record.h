// MapRecord: one validated record of an entity → one typed row of its table.
//
// Applies the mapping's column rules: field renames (`from`), defaults, value maps, type
// conversions (RFC 3339 or epoch ms → timestamp, objects → JSON text without dropped
// members), and references rewritten to the parent's ULID. A pure function: no I/O; the
// caller supplies the record's identity and a resolver for references.
//
// Thread safety: pure; safe from any thread.
#pragma once

#include <simdjson.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/row.h"
#include "transformers/mapping.h"
#include "transformers/reject.h"

namespace ferry {

// A column's default (`default:` or `const:`, ColumnMapping::default_json) as a cell of its
// type: "3" an integer, an RFC 3339 string a timestamp's milliseconds, any JSON its text for a
// json column; null for "null". REQUIRES: column.default_json.
Cell DefaultCell(const ColumnMapping& column);

// Why (entity, legacy id) has no ULID when a record of it was rejected in this unit: the
// reject's place ("u1.json key=environments index=3"); nullopt when none was.
using RejectedReference = std::function<std::optional<std::string>(const std::string& entity,
                                                                   const std::string& legacy_id)>;

// What the record's place and identity give to its columns ($user, $ulid, ...).
struct RecordContext {
  std::string_view user_id;
  std::string_view legacy_id;
  std::string_view ulid;  // empty when the entity has no ULID column
  std::string_view key;
  std::string_view key_suffix;
  std::string_view origin;
  // Values of the other keys of the record's store and origin ($store.NAME); may be null.
  const std::unordered_map<std::string, std::string>* store = nullptr;
  // Tells a reference to a rejected record from one to no record at all; may be null.
  const RejectedReference* rejected = nullptr;
};

// The ULID of (entity, legacy id) for the record's user, or nullopt when no such record is
// known.
using ReferenceResolver = std::function<std::optional<std::string>(const std::string& entity,
                                                                   const std::string& legacy_id)>;

// Fills `row` (one cell per column of entity.table) and returns nullopt, or returns the
// reject (reason, where.pointer, schema_location empty, value when safe to show). The
// caller completes the reject's place (file, origin, key, index).
std::optional<Reject> MapRecord(const EntityMapping& entity, simdjson::dom::element record,
                                const RecordContext& context, const ReferenceResolver& resolve,
                                Row* row);

}  // namespace ferry
