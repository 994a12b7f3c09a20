// InspectDatabase: what an application's database holds, for `ferry inspect sqlite:app.db`
// (docs/database-sources.md): its tables with row counts, primary keys and the kind of their
// values (integer, uuid, ulid, other, with the count of each), the foreign-key graph with the
// orphaned references of each key (count and examples), the tables that cannot be ordered
// parents first, and the tables without a creation-time column.
//
// Reads a private copy (extractors/sqlite), writes nothing. Thread safety: a free function.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/inspect/id_kind.h"
#include "base/result.h"
#include "extractors/extractor.h"

namespace ferry {

// At most this many orphaned references are listed per foreign key (all are counted).
constexpr int64_t kOrphanExamples = 5;

struct DbTableFacts {
  std::string name;
  int64_t rows = 0;
  std::vector<std::string> primary_key;  // empty: only SQLite's rowid
  // Counts of the key's values by IdKind (index = the enum's value); only for a one-column
  // key, all zero otherwise.
  std::array<int64_t, 5> id_kinds{};
  std::string creation_column;  // "" when none is recognised
};

struct DbOrphan {
  std::string row_key;  // the child row's primary key (or rowid) as text
  std::string value;    // the reference that names no parent row, as text
};

struct DbForeignKeyFacts {
  std::string table;
  std::vector<std::string> columns;
  std::string parent;
  std::vector<std::string> parent_columns;
  bool parent_missing = false;     // the parent table is not in the database
  int64_t orphans = 0;             // rows whose reference (no column NULL) names no parent row
  std::vector<DbOrphan> examples;  // the first kOrphanExamples, in the child's key order
};

struct DbInspectReport {
  std::string source;                // the path as given; a URL with its password removed
  std::vector<DbTableFacts> tables;  // parents first
  std::vector<DbForeignKeyFacts> foreign_keys;
  std::vector<std::string> in_cycles;  // tables in (or below) a cycle between tables
  std::vector<std::string> skipped;    // views and virtual tables, not read
};

// The dominant kind of a table's key: the kind most of its values have ("integer"), or
// "rowid" / "composite" when it has no one-column key, "-" when the table is empty.
std::string DominantIdKind(const DbTableFacts& table);

// Inspects the database of `spec` (kind "sqlite" or "postgresql", db_inspect_pg.h). Fails
// naming the file (or the URL, password removed) when it cannot be copied, opened or read.
Result<DbInspectReport> InspectDatabase(const SourceSpec& spec);

}  // namespace ferry
