// CommitBatch: the second half of loading a batch of one entity — what becomes of each row in
// the target, by the conflict policy — and the counts and examples of the report.
//
//   new identity                  -> inserted
//   known, policy skip            -> skipped: the target keeps its row
//   known, same content hash      -> unchanged: not rewritten (overwrite and merge)
//   known, overwrite              -> updated
//   known, merge                  -> the target's row is read back (Loader::FetchRows) and
//                                    merged (transformers/merge_row.h): merged, or unchanged
//                                    when the merge leaves it as it was; a row no longer there
//                                    is inserted; a row that cannot be merged (a json cell
//                                    that is not JSON) is a reject
// The rows to write go to the loader as one WriteBatch, merged rows already merged (the loader
// writes them as overwrite and counts them merged). A merged row's id map entry keeps the
// incoming record's content hash: the same record next time is unchanged without a read.
// In a dry run nothing is written (FetchRows still reads) and the counts are what would be.
//
// Thread safety: one call at a time per UnitProcessor.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/run/assign_identities.h"
#include "agent/run/run_report.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

struct CommitContext {
  const EntityMapping* entity = nullptr;
  const std::string* user_id = nullptr;
  ConflictPolicy policy = ConflictPolicy::kSkip;
  Loader* loader = nullptr;
  bool dry_run = false;
  EntityCounts* counts = nullptr;
  // Takes the reject of a record that cannot be merged; non-ok stops the run.
  std::function<Status(const AssignedRecord&, Reject)> reject;
};

// Classifies `records`, writes those to write (unless dry run) with `checkpoint`, and counts
// every outcome in context.counts. Fails on a loader failure or a reject the run stops for.
Status CommitBatch(const CommitContext& context, std::vector<AssignedRecord> records,
                   const Checkpoint& checkpoint);

// The index of the column read from the entity's updated_field, or -1 when none is.
int UpdatedColumn(const EntityMapping& entity);

}  // namespace ferry
