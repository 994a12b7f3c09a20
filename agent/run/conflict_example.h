// ConflictExample builder: what the report shows of one conflict — the entity's legacy id,
// the outcome and, when the target's row was read whole (overwrite, merge), the fields that
// differed with their values before and after (agent/run/conflict_values.h) and, for a merge,
// how each was decided.
//
// A path inside a sensitive field is cut back to that field: a JSON member name can be data
// too (an object keyed by a token). The value of a sensitive field is withheld.
//
// Pure functions, thread-safe.
#pragma once

#include <string>

#include "agent/run/conflict_values.h"
#include "agent/run/run_report.h"
#include "transformers/mapping.h"
#include "transformers/merge_row.h"

namespace ferry {

// Fields listed per example; the rest are counted in more_fields.
constexpr size_t kMaxExampleFields = 8;
// Longest path shown, in bytes (cut at a UTF-8 character boundary).
constexpr size_t kMaxExamplePathBytes = 200;

// The example of `legacy_id`'s conflict with `outcome` ("merged", ...). `merge` (may be null)
// gives the differing fields; without it, `rows` (may be null: names only) give them, the
// columns whose cells differ between rows->before and rows->incoming. With `rows`, every field
// gets its values.
ConflictExample MakeConflictExample(const EntityMapping& entity, const std::string& legacy_id,
                                    const char* outcome, const MergeResult* merge,
                                    const ConflictRows* rows = nullptr);

// A merge path ("config.region": a column, then JSON members) as the report may show it.
std::string ReportablePath(const EntityMapping& entity, const std::string& path);

}  // namespace ferry
