// Typed rows and table definitions: what transformers produce and loaders write.
//
// A TableDef comes from the mapping; a Row holds one Cell per column of its TableDef, in
// the same order. Cells carry a small set of physical values; the column's type says how a
// target stores them (a kTimestamp is milliseconds since the epoch, UTC; a kJson is JSON
// text; a kUlid is 26 Crockford base32 characters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ferry {

enum class ColumnType { kText, kInteger, kReal, kBoolean, kJson, kTimestamp, kUlid };

// "text", "integer", "real", "boolean", "json", "timestamp", "ulid".
const char* ColumnTypeName(ColumnType type);
// The inverse of ColumnTypeName; nullopt for an unknown name.
std::optional<ColumnType> ParseColumnType(const std::string& name);

// One value: null, text (also JSON text and ULIDs), integer (also timestamps), real, boolean.
using Cell = std::variant<std::monostate, std::string, int64_t, double, bool>;

inline bool IsNull(const Cell& cell) { return std::holds_alternative<std::monostate>(cell); }

struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool nullable = true;
  // The mapping's default (`default:` or `const:`) as a cell of `type`; null when none. Only
  // a column that `schema up` adds to an existing table gets it as its database DEFAULT (the
  // rows already there take it); ferry writes every value itself, so CREATE TABLE leaves it out.
  Cell default_value = {};
};

// A plain (non-unique) index the mapping declares (`indexes:`).
struct IndexDef {
  std::string name = {};  // empty: ferry's name (IndexName, loaders/schema_evolution.h)
  std::vector<std::string> columns = {};  // in index order; never empty
};

// What of a row's id-map row (loaders/loader.h, IdentityRecord) a primary-key column holds.
enum class IdentityPart { kUser, kLegacyId, kUlid };

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::string> primary_key;          // column names; never empty
  std::vector<std::vector<std::string>> unique;  // further unique constraints
  std::vector<IndexDef> indexes = {};            // plain indexes, created after the table
  // Where the definition comes from, recorded in the target's schema history
  // (loaders/schema_history.h); empty for tables that are not a mapping's.
  std::string mapping = {};  // the mapping's name ("taskapp")
  std::string entity = {};   // the entity whose records fill the table ("userPreferences")
  // One per primary_key column, in its order, when every one holds a part of the row's id-map
  // row as it is (the mapping's `$user`, `$ulid`, `$legacy_id`, or the `$key_suffix`/`$key`
  // that is the legacy id); empty otherwise. A rollback finds a row the run inserted from its
  // id-map row by it (loaders/core/rollback.h, KeyFromIdentity), so the archive needs no record.
  std::vector<IdentityPart> key_from_identity = {};

  // Index of the named column, or -1.
  int ColumnIndex(const std::string& column) const;
};

struct Row {
  std::vector<Cell> cells;
};

}  // namespace ferry
