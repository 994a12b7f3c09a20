// RunReport: what a run did, per entity, for people (a summary on stdout) and machines
// (--report FILE, JSON).
//
// Thread safety: owned by the run's thread; not shared.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "agent/run/source_holdings.h"
#include "base/status.h"
#include "transformers/reject.h"

namespace ferry {

// The values of one differing field of a conflict example, as the report shows them: short
// JSON-like text (agent/run/conflict_example.h), cut to kMaxExampleValueBytes.
struct ConflictValues {
  bool withheld = false;  // a sensitive field, or a value holding one: no value is kept
  std::string before;     // the target's value
  std::string after;      // what the row holds after the run (would hold, in a dry run)
  std::string incoming;   // the source's value, when the row kept the target's (merge): else ""
};

// One record whose identity the target already held, and what became of it. Values only of
// fields that are not sensitive (agent/run/conflict_example.h).
struct ConflictExample {
  std::string legacy_id;
  std::string outcome;                 // "updated", "skipped", "merged", "unchanged"
  std::vector<std::string> fields;     // fields that differed ("title", "config.region"), if read
  std::vector<std::string> decisions;  // for each field, how merge decided (merge_row.h)
  size_t more_fields = 0;              // differing fields beyond those listed
  // For each field, its values; empty when the target's row was not read whole (skip).
  std::vector<ConflictValues> values;
};

// The rejects of one entity that failed the same way: the same schema rule at the same field,
// or, without a schema rule, the same reason. Bounded: a million rejects keep a count and
// kMaxRejectGroupExamples examples (the reject file holds every one).
struct RejectGroup {
  std::string field;            // JSON pointer of the failing field ("/createdAt"), may be ""
  std::string schema_location;  // the rule ("#/properties/createdAt/format"), may be ""
  std::string reason;           // the first reject's reason, for people
  int64_t count = 0;
  std::vector<Reject> examples;  // the first kMaxRejectGroupExamples, in the order met
};

struct ConflictDecision;  // agent/run/conflict_decision.h

// One decision of --conflict interactive, as the report keeps it: key and ULID, no value.
struct DecisionExample {
  std::string legacy_id;
  std::string ulid;
  std::string decision;  // "skip", "overwrite", "merge"
  bool asked = true;     // false: covered by an earlier S/O/M answer
};

struct EntityCounts {
  int64_t read = 0;      // records found in the source
  int64_t valid = 0;     // passed schema, identity and mapping checks
  int64_t inserted = 0;  // new rows (would be, in a dry run)
  int64_t updated = 0;   // existing rows replaced
  int64_t skipped = 0;   // existing rows kept by the policy skip
  int64_t merged = 0;    // existing rows merged field by field
  int64_t rejected = 0;  // went to the reject file

  // Existing rows left as they were because they already equal what the policy would write
  // (overwrite: the incoming row; merge: the merged row). Never a row that is not there.
  int64_t unchanged = 0;
  std::vector<std::string> examples_inserted;  // a few legacy ids, for the dry-run preview
  std::vector<std::string> examples_updated;
  std::vector<std::string> examples_skipped;
  std::vector<Reject> examples_rejected;
  // The first few conflicts of each outcome (kMaxExamples each), in the order met.
  std::vector<ConflictExample> examples_conflicts;
  // Rejects grouped by how they failed, the first kMaxRejectGroups groups in the order met;
  // rejects of any later group are counted in rejects_ungrouped.
  std::vector<RejectGroup> reject_groups;
  int64_t rejects_ungrouped = 0;
  // --conflict interactive: the decisions taken, by answer, how many of them an S/O/M answer
  // covered, and the first kMaxDecisionExamples (the audit log holds every one).
  int64_t decided_skip = 0;
  int64_t decided_overwrite = 0;
  int64_t decided_merge = 0;
  int64_t decided_by_rule = 0;
  std::vector<DecisionExample> examples_decisions;

  // Records whose identity the target already held, whatever became of them.
  int64_t Conflicts() const { return updated + skipped + merged + unchanged; }
  // Keeps `example` unless kMaxExamples of its outcome are kept already.
  void AddConflictExample(ConflictExample example);
  // The number of examples of `outcome` kept.
  size_t ConflictExamplesOf(const std::string& outcome) const;
  // Counts `reject` in its group (made when new and fewer than kMaxRejectGroups), keeping it
  // as an example of the group while it has fewer than kMaxRejectGroupExamples. Does not
  // change `rejected` or `examples_rejected`.
  void GroupReject(const Reject& reject);
  // Adds `group`'s count and examples (within the bounds above) to this entity's.
  void MergeRejectGroup(const RejectGroup& group);
  // Counts `decision`, keeping it as an example while fewer than kMaxDecisionExamples are.
  void AddDecision(const ConflictDecision& decision);
  int64_t Decided() const { return decided_skip + decided_overwrite + decided_merge; }
};

struct RunReport {
  std::string run_id;
  bool dry_run = false;
  std::string target;  // redacted: never a password
  std::vector<std::string> sources;
  std::string mapping;
  std::string started_at;  // RFC 3339
  double duration_s = 0;
  int64_t units = 0;            // users / stores processed
  std::set<std::string> users;  // the user ids of those units (for `ferry validate`)
  int jobs = 0;                 // workers that loaded them (--jobs, or the run's choice)
  int64_t unmapped_keys = 0;    // keys no entity claims (theme, authToken, ...)
  int64_t ignored_keys = 0;     // keys the mapping's `ignore` leaves out on purpose
  int64_t problems = 0;         // damage reported by extractors
  std::vector<std::string> problem_examples;
  // Entries whose key or value was not well-formed UTF-16, decoded with U+FFFD: loaded and
  // listed here, or rejected with --strict-unicode. Examples name origin, key and the damage.
  int64_t lossy_entries = 0;
  std::vector<std::string> lossy_examples;
  // Member names repeated in one JSON object, resolved as JSON.parse does: the last is kept.
  int64_t duplicate_members = 0;
  std::string rejects_file;  // empty when nothing was rejected or not written
  std::string backup;        // "ID (path)" of the sources' backup, "none (--no-backup)", or ""
  // Entities with ULIDs but no creation-time field (mapping id.time_field): their new ULIDs
  // take the time of the run, not the record's (a table without a creation column).
  std::vector<std::string> timed_by_run;
  std::string backup_id;  // that archive's id alone; empty without one
  // Set when the run stopped on --max-reject-rate: "yes: <what the rollback did>" or "no: why".
  std::string rolled_back;
  int64_t peak_rss_kb = 0;
  // The interrupted run this one resumed (its id is this run's id too); empty for a fresh run.
  std::string resumed_from;
  // When resuming: per entity, the records its earlier session(s) had read and committed (the
  // sum of its checkpoints' positions). This session reads them again; they are not rewritten.
  std::map<std::string, int64_t> resumed_committed;
  // When resuming: valid records of batches the earlier session(s) committed, passed over by
  // their checkpoints (neither looked up in the target nor written again).
  int64_t resume_passed_over = 0;
  // Units unchanged since a run loaded them whole (the policy skip), not read further, and a
  // few of them: "UNIT (user U): unchanged since run X, skipped".
  int64_t unchanged_units = 0;
  // Units unchanged since a run loaded them whole but for rejects the source decided: read and
  // checked again (their rejects said again), and the valid records of them passed over,
  // neither looked up nor written (loaders/unit_mark.h).
  int64_t unchanged_units_with_rejects = 0;
  int64_t unchanged_passed_over = 0;
  // Of unchanged_units_with_rejects: those whose rejects and counts the target kept beside
  // the mark (agent/run/unit_rejects.h), given back without reading a record of the unit.
  int64_t unchanged_rejects_kept = 0;
  // Examples of both kinds.
  std::vector<std::string> unchanged_unit_examples;
  // With --jobs: the units (users) that failed, "user: error", while the others went on.
  std::vector<std::string> failed_units;
  // A dry run, which reads on past what would stop a real run: where and why the real run
  // would stop (the first reject without --continue-on-error, or the reject rate); else empty.
  std::string would_stop;
  std::string status = "completed";  // completed | completed_with_rejects | failed | stopped
  std::string error;                 // the failure, when status is failed/stopped
  // Stopped by a signal (status "interrupted"), or failed after its retries: the same command
  // goes on where this run stopped.
  bool resumable = false;
  int exit_code = 0;
  std::map<std::string, EntityCounts> entities;
  std::vector<std::string> entity_order;  // load order, for printing
  SourceHoldings held;  // what the sources held, for a filter that matched nothing

  EntityCounts& Entity(const std::string& name);
  int64_t TotalRead() const;
  int64_t TotalRejected() const;

  // Adds another worker's counts, examples (up to kMaxExamples each) and failed units.
  void Merge(const RunReport& other);

  // The human summary: one line per entity, then totals, duration, rate and memory. A table,
  // unless `columns` (a terminal's width; 0: not a terminal) is too narrow for it: then one
  // line per entity names its counts, so that no table row wraps.
  void PrintSummary(std::ostream& out, int columns = 0) const;
  // The report as one JSON document.
  std::string ToJson() const;
};

// Keeps at most this many examples per entity and kind.
constexpr size_t kMaxExamples = 3;
// Reject groups kept per entity, and examples kept per group (the HTML report shows the first
// few and folds the rest).
constexpr size_t kMaxRejectGroups = 32;
constexpr size_t kMaxRejectGroupExamples = 10;
// Interactive decisions kept per entity in the report.
constexpr size_t kMaxDecisionExamples = 20;

}  // namespace ferry
