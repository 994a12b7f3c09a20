// What became of each conflict under --conflict interactive, as a record of the run: the
// person's answers (and the records an S/O/M answer covered) go into the target's audit log
// with the batch they shaped (loaders/loader.h WriteBatch::audit), into the report, and back
// to `ferry validate`, which compares each row as the decision taken for it wrote it.
//
// Names, keys and ULIDs only: never a value of the data.
//
// Thread safety: pure functions; a ConflictChooser is used by one run thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

// The audit-log action under which a batch's decisions are written (one entry per batch).
inline constexpr char kConflictDecisionAction[] = "conflict decision";

struct ConflictDecision {
  std::string entity;
  std::string legacy_id;  // the record's key in the source
  std::string ulid;       // its row's ULID; empty when the entity has none
  ConflictPolicy policy = ConflictPolicy::kSkip;
  bool asked = true;  // false: covered by an earlier S/O/M answer for the entity
};

// The audit-log detail of one batch's decisions: a JSON array of
// {"entity":..,"key":..,"ulid":..,"decision":"skip|overwrite|merge","asked":bool}.
std::string DecisionsDetail(const std::vector<ConflictDecision>& decisions);

// The decisions of one DecisionsDetail text, appended to *out. Corruption when it is not one.
Status ParseDecisionsDetail(const std::string& detail, std::vector<ConflictDecision>* out);

// Decides each conflict of a record with its row in the target (agent/run/commit_batch.h).
class ConflictChooser {
 public:
  virtual ~ConflictChooser() = default;
  // What becomes of `legacy_id`'s record of `entity`: its row `existing` against `incoming`.
  // Non-ok stops the run (IsStop after q at the terminal).
  virtual Result<ConflictPolicy> Decide(const EntityMapping& entity, const std::string& legacy_id,
                                        const Row& existing, const Row& incoming) = 0;
  // Whether the last Decide asked someone (false: a rule or a record answered).
  virtual bool LastAsked() const = 0;
  // Whether the decisions are the run's own, to record (audit log, report); false when they
  // are read back from a record (`ferry validate`).
  virtual bool Records() const = 0;
};

}  // namespace ferry
