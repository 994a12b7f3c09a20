// CommitBatch: the second half of loading a batch of one entity — what becomes of each row in
// the target, by the conflict policy — and the counts and examples of the report.
//
// Every outcome is decided against the row that is in the target (agent/run/existing_rows.h:
// read back in one query per key and batch), never against ferry's memory of what it wrote:
//   no row (new, or deleted since)   -> inserted, with the id map's ULID when it has one
//   a row, policy skip               -> skipped: the target keeps its row
//   a row, overwrite                 -> unchanged when the row already equals the incoming
//                                       row (transformers/merge_row.h RowsEqual), else updated
//   a row, merge                     -> merged (transformers/merge_row.h), or unchanged when
//                                       the merge leaves it as it was; a row that cannot be
//                                       merged (a json cell that is not JSON) is a reject
// A row found under a unique key of the mapping rather than the record's primary key (written
// by hand or by another tool) is adopted: the record takes its primary key and ULID, its
// children reference it, and the id map learns it even when the row is kept (skip, unchanged).
// A record whose write would break a key (two rows of the target for it, or a key another
// record of the batch writes) is rejected with the reason.
// The rows to write go to the loader as one WriteBatch, merged rows already merged (the loader
// writes them as overwrite and counts them merged).
// In a dry run nothing is written (the reads still happen) and the counts are what would be.
//
// Thread safety: one call at a time per UnitProcessor.
#pragma once

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "agent/run/assign_identities.h"
#include "agent/run/interactive_conflicts.h"
#include "agent/run/run_report.h"
#include "agent/run/unit_writes.h"
#include "agent/run/written_keys.h"
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
  // This unit's parent ULIDs (AssignIdentities), told of adopted and rejected records; null
  // when no entity references this one.
  ParentUlids* parents = nullptr;
  // Takes the reject of a record that cannot be merged; non-ok stops the run.
  std::function<Status(const AssignedRecord&, Reject)> reject;
  // This unit's keys of the entity's table (agent/run/written_keys.h), so that a first load
  // reads nothing back; null: every key is read.
  WrittenKeys* written = nullptr;
  // --continue-on-error: a row the target refuses by a foreign key of its own is a reject and
  // the rest of the batch is written (WriteBatch::reject_broken_keys).
  bool continue_on_error = false;
  // --conflict interactive: asked for each record whose row the target holds, instead of
  // `policy` (which must then read whole rows: overwrite), at the terminal or (validate) from
  // the run's recorded decisions; null otherwise.
  ConflictChooser* decide = nullptr;
  // Where the batch goes to be written, held back with the unit's others (one commit for a
  // small user: agent/run/unit_writes.h); its counts and the target's rejects come when it is
  // written. Null: written at once.
  UnitWrites* writes = nullptr;
  // The ULIDs of this unit's parent rows the target refused: a row of a held batch that
  // references one is rejected rather than written. Null: none are tracked.
  std::unordered_set<std::string>* refused_parents = nullptr;
};

// Classifies `records`, writes those to write (unless dry run) with `checkpoint`, and counts
// every outcome in context.counts (with context.writes: once the batch is written).
// Fails on a loader failure or a reject the run stops for.
Status CommitBatch(const CommitContext& context, std::vector<AssignedRecord> records,
                   const Checkpoint& checkpoint);

// The index of the column read from the entity's updated_field, or -1 when none is.
int UpdatedColumn(const EntityMapping& entity);

}  // namespace ferry
