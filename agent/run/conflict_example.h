// ConflictExample builder: what the report shows of one conflict — the entity's legacy id,
// the outcome and, for a merge, the fields that differed and how each was decided.
//
// Names only, never values. A path inside a sensitive field is cut back to that field: a
// JSON member name can be data too (an object keyed by a token).
//
// Pure functions, thread-safe.
#pragma once

#include <string>

#include "agent/run/run_report.h"
#include "transformers/mapping.h"
#include "transformers/merge_row.h"

namespace ferry {

// Fields listed per example; the rest are counted in more_fields.
constexpr size_t kMaxExampleFields = 8;
// Longest path shown, in bytes (cut at a UTF-8 character boundary).
constexpr size_t kMaxExamplePathBytes = 200;

// The example of `legacy_id`'s conflict with `outcome` ("merged", ...). `merge` (may be null)
// gives the differing fields.
ConflictExample MakeConflictExample(const EntityMapping& entity, const std::string& legacy_id,
                                    const char* outcome, const MergeResult* merge);

// A merge path ("config.region": a column, then JSON members) as the report may show it.
std::string ReportablePath(const EntityMapping& entity, const std::string& path);

}  // namespace ferry
