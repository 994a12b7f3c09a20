// MergeRow: the `merge` conflict policy for one row. The row already in the target and the
// incoming row of the same identity become one row, field by field (docs/mapping.md,
// "Conflicts"):
//  - Which side is newer: the cells of the timestamp column (the one read from the entity's
//    `updated_field`) compared as times: milliseconds (timestamp, integer, real) or RFC 3339
//    text. A side without a usable time is older than a side with one. Equal times, or no
//    time on either side (or no timestamp column): the incoming row counts as newer.
//  - Per column: equal values stay as they are; else the newer value wins, except that a null
//    never overwrites a value (the older value fills a newer null).
//  - A json column whose values are both objects merges member by member, recursively, with
//    the same rules; a member on one side only is kept (an absent member counts as null).
//    Arrays, and values of different kinds, are replaced whole by the newer one.
//  - Primary-key columns keep the existing cells (same identity, same key).
// The result names every field that differed and how it was decided: field names only, never
// values, so that it can go into a report whatever the field holds.
//
// Pure function: no I/O; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/row.h"

namespace ferry {

// How a field whose two values differed was decided.
enum class MergeDecision {
  kIncomingNewer,         // the incoming value: it is newer
  kExistingNewer,         // the existing value: it is newer
  kIncomingFilledNull,    // the incoming value: older, but the newer existing one is null/absent
  kExistingKeptOverNull,  // the existing value: older, but the newer incoming one is null/absent
};

// "incoming_newer", "existing_newer", "incoming_filled_null", "existing_kept_over_null".
const char* MergeDecisionName(MergeDecision decision);

struct MergedField {
  // The column name; inside a json object, the column then the member names, dot-separated
  // ("config.region").
  std::string path;
  MergeDecision decision;
};

struct MergeResult {
  Row row;                            // the merged row, one cell per column
  bool incoming_newer = true;         // which side the timestamps made newer
  bool unchanged = true;              // the merged row is the existing row: nothing to write
  std::vector<MergedField> differed;  // fields that differed, in column order (at most kMax)
  size_t differed_omitted = 0;        // differing fields beyond the first kMaxMergedFields

  static constexpr size_t kMaxMergedFields = 64;
};

// Merges `incoming` into `existing` (both rows of `table`). `timestamp_column` is the index of
// the column holding the entity's update time, or -1 when it has none.
// Fails (InvalidArgument, naming the column and the side) when a row does not have one cell per
// column, a json cell is not JSON text, or a JSON value nests deeper than the parser allows; in
// those cases nothing is merged.
Result<MergeResult> MergeRow(const TableDef& table, const Row& existing, const Row& incoming,
                             int timestamp_column);

// True when rows `a` and `b` of `table` hold the same value in every column, compared as
// MergeRow compares values (json cells as JSON values, numbers by value, a null equal only to
// a null). False when a row does not have one cell per column or a json cell is not JSON:
// such a row is written, never taken as unchanged.
bool RowsEqual(const TableDef& table, const Row& a, const Row& b);

}  // namespace ferry
