// Conflict values: what the report shows of one differing field of a conflict — the target's
// value before the run and the row's value after it (agent/run/conflict_example.h).
//
// A value is shown as short JSON-like text: text quoted, numbers and booleans as they are,
// timestamps in RFC 3339, a json cell or member compact; cut to kMaxExampleValueBytes. A field
// that is sensitive, lies inside a sensitive field or holds one (a json column whose members
// include config.githubToken, a $record column, a value read from a store key listed as
// sensitive) is withheld: no byte of its value is kept. Only the few examples a report keeps
// are rendered, so the cost is bounded per batch.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "agent/run/run_report.h"
#include "base/row.h"
#include "transformers/mapping.h"

namespace ferry {

// Longest value shown, in bytes (cut at a UTF-8 character boundary, then "...").
constexpr size_t kMaxExampleValueBytes = 120;

// The rows of one conflict. `after` is the row the target holds after the run: the merged row,
// the incoming row (overwrite), or the target's row when it is kept.
struct ConflictRows {
  const Row* before = nullptr;
  const Row* incoming = nullptr;
  const Row* after = nullptr;
};

// True when the value at `path` (a column name, then JSON member names, dot-separated) must
// not be shown: it is, lies inside or holds a field of entity.sensitive, or names no column.
bool HoldsSensitive(const EntityMapping& entity, const std::string& path);

// The values at `path` in `rows` (every row non-null), or withheld by HoldsSensitive.
// `incoming` is set only when it differs from `after`.
ConflictValues ValuesAt(const EntityMapping& entity, const std::string& path,
                        const ConflictRows& rows);

// The columns whose cells differ between `a` and `b` (both rows of `table`), compared as
// transformers/merge_row.h RowsEqual compares them, in column order.
std::vector<std::string> DifferingColumns(const TableDef& table, const Row& a, const Row& b);

}  // namespace ferry
