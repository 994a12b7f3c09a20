// UnitProcessor: loads one unit of work — one user's store or dump — entity by entity,
// parents first, in bounded batches.
//
// For each record: route its key to an entity, parse the value, validate against the
// entity's schema, take its legacy id (rejecting a duplicate); then per full batch give each a
// ULID and a row (agent/run/assign_identities.h) and decide by the conflict policy what the
// target gets, merging with its rows for `merge` (agent/run/commit_batch.h), writing nothing
// in a dry run. Under the policy skip, a unit unchanged since a run loaded it whole is skipped
// (agent/run/unit_digest.h), and a unit loaded whole is marked so; one loaded whole but for
// rejects the source and settings decided is marked with their count, and a rerun reads and
// checks it again (saying its rejects again) but writes nothing (loaders/unit_mark.h).
//
// Thread safety: one UnitProcessor per thread.
#pragma once

#include <simdjson.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/run/migrate_options.h"
#include "agent/run/parent_ulids.h"
#include "agent/run/reject_sink.h"
#include "agent/run/rejected_parents.h"
#include "agent/run/run_report.h"
#include "agent/run/unit_entries.h"
#include "agent/run/unit_marks.h"
#include "agent/run/unit_writes.h"
#include "extractors/entry.h"
#include "loaders/loader.h"
#include "transformers/map_record.h"
#include "transformers/mapping.h"
#include "transformers/route_entry.h"
#include "transformers/ulid.h"

namespace ferry {

// A dry run's note on where the real run would stop without --continue-on-error: at `reject`
// ("record 9 (index 8) of key "tasks" of user demo (place): reason").
std::string WouldStopAt(const std::string& user_id, const Reject& reject);

// Rejected when more than `max_rate` of `read` records (at least 100) were rejected.
Status RejectRateCheck(int64_t read, int64_t rejected, double max_rate);

class UnitProcessor {
 public:
  UnitProcessor(const MigrateOptions& options, const Mapping& mapping, Loader* loader,
                RejectSink* rejects, RunReport* report);
  UnitProcessor(const UnitProcessor&) = delete;  // rejected_reference_ refers to this one
  UnitProcessor& operator=(const UnitProcessor&) = delete;

  // Loads the entries of one unit (all of one user's data). Returns non-ok when the run
  // must stop: a loader failure, or a reject without --continue-on-error (Rejected), or
  // the reject rate passing --max-reject-rate, or a spilled entry that cannot be read back.
  // Holds nothing per key beyond what `entries` hold: each entity's pass routes the keys again
  // and reads a spilled entry back when its entity's turn comes. A placeholder unit
  // (UnitEntries::entries_deferred) is read first, here, its damage recorded as RecordProblem
  // does; a file that gives no entries is no unit (the reading thread would have yielded none).
  Status Process(const UnitEntries& entries);

  // Records damage an extractor skipped over as a reject of the source.
  Status RecordProblem(const Location& where, const Status& problem);

  // The user of the unit Process() was last given; empty when it had none.
  const std::string& user_id() const { return user_id_; }

  // Called every few hundred records while a unit is read, with the bytes of the unit's
  // values read so far (estimated within a value from its records), so that progress moves
  // within one large unit. Not called when not set.
  using ProgressHook = std::function<void(uint64_t unit_bytes_done)>;
  void SetProgressHook(ProgressHook hook) { progress_hook_ = std::move(hook); }

  // When true, the next units' users are locked by another loader of this run for the whole
  // run (agent/run/unit_pool.h): Process joins its writers (Loader::JoinUser) instead of
  // taking the lock itself.
  void SetLockHeldByRun(bool held) { lock_held_by_run_ = held; }
  // True when the last Process could not join the run's lock: it was not held (Unavailable,
  // after the retries), so the session holding it for the run is gone. Nothing was written.
  bool LockLost() const { return lock_lost_; }

 private:
  class EntityPass;

  Result<std::string> UserIdFor(const UnitEntries& entries) const;
  // Process() of a unit whose entries are read.
  Status ProcessRead(const UnitEntries& entries);
  // Process() once the user's lock is held (or in a dry run).
  // `digest` (SkipDigest): the unit is marked once loaded whole; nullopt: it is not.
  Status ProcessLocked(const UnitEntries& entries, const std::string& user_id,
                       std::optional<int64_t> digest);
  // What a skipped unit held, for the report's check that something matched; lists the
  // selected entities in the report as a processed unit does.
  Status CountHeld(const UnitEntries& entries);
  Status Reject(const std::string& user_id, ::ferry::Reject reject);
  Status CheckRejectRate() const;
  // The unit's digest when it may be skipped or marked: a real run, not --rescan, every
  // selected entity under the policy skip; else nullopt.
  Result<std::optional<int64_t>> SkipDigest(const UnitEntries& entries) const;
  // Writes the mark of a unit loaded whole (loaders/unit_mark.h) at `position`, with the unit's
  // held batches when there are any; not when a batch written alone after them has a reject
  // the target decided (`rejected_through`: the run's rejects with the unit's). `kept`: the
  // unit's rejects kept beside the mark, in its transaction (KeepRejects; empty: none).
  Status MarkUnitLoaded(const std::string& user_id, const std::string& unit, int64_t position,
                        int64_t rejected_through, std::string kept = {});
  // ProcessLocked's entities, their batches held in writes_ when set.
  // `routed`: how many of the unit's keys each entity of the mapping takes. The passes go to
  // *passes, which the caller keeps until the unit's writes have completed.
  Status ProcessEntities(const UnitEntries& entries, const std::vector<size_t>& routed,
                         const std::string& user_id, std::optional<int64_t> digest,
                         int64_t rejected_before, std::vector<std::unique_ptr<EntityPass>>* passes);
  // Reports a unit the target marks loaded whole (with `rejects` rejects) by run `run_id`.
  void ReportUnchanged(const std::string& user_id, const std::string& unit,
                       const std::string& run_id, int64_t rejects);
  // A unit whose mark says "loaded whole but for `rejects` rejects" (loaders/unit_mark.h): read
  // and checked again into a report of its own, nothing looked up or written; when it meets
  // the same number of rejects, they go to the reject file and its counts into the run's, else
  // the unit is loaded as any other.
  Status ProcessMarked(const UnitEntries& entries, const std::string& user_id, int64_t digest,
                       int64_t rejects, const std::string& run_id);
  // The same unit when the target kept its rejects beside the mark (agent/run/unit_rejects.h,
  // unit_processor_kept.cc): gives them and the unit's counts back without reading a record.
  // *given false (nothing done) when nothing usable was kept: ProcessMarked then. `read`: the
  // mark, and what it kept when read with it (ReadMark; else read here).
  Status GiveBackKept(const UnitEntries& entries, const std::string& user_id,
                      UnitMarks::Answer* read, int64_t rejects, bool* given);
  // The mark of (user, unit) (loaders/unit_mark.h), from the run's marks read a chunk of units
  // at once (MigrateOptions::unit_marks) or, when they cannot tell, read alone; `read->known`
  // is then true.
  Status ReadMark(const std::string& user_id, const std::string& unit, UnitMarks::Answer* read);
  // From ProcessLocked: starts recording the unit's rejects and counts when `on` (a unit that
  // may be marked), for KeptRejects.
  void StartRecording(const UnitEntries& entries, bool on);
  // Before the mark of a unit loaded whole but for `rejected` rejects: what to keep beside it
  // (WriteBatch::unit_rejects, written with the mark) when all were recorded and fit
  // kMaxUnitRejectsBytes; empty when nothing is kept.
  std::string KeptRejects(int64_t rejected);
  bool Selected(const std::string& entity) const;
  // The entity an entry of the unit loads into (nullptr: none), as the unit's routing pass
  // decides it.
  const EntityMapping* RoutedEntity(const Entry& entry) const;
  // Lists a lossy entry in the report; with --strict-unicode rejects it and clears *route.
  Status TakeLossy(const std::string& user_id, const Entry& entry, Route* route);

  const MigrateOptions& options_;
  const Mapping& mapping_;
  Loader* loader_;
  RejectSink* rejects_;
  RunReport* report_;
  UlidGenerator ulids_;
  // Per unit: ULIDs of parent records by entity and legacy id, for references; bounded
  // (agent/run/parent_ulids.h).
  ParentUlids parents_;
  // The target held nothing of the unit's user when its lock was taken (user_probe.h).
  bool user_fresh_ = false;
  std::string parents_user_;  // the user parents_ holds parents of (kept over units: dry run)
  // Per unit: where parent records were rejected, by entity and legacy id, so that a reference
  // to one says so (bounded: agent/run/rejected_parents.h); and the function that asks it.
  RejectedParents rejected_parents_;
  RejectedReference rejected_reference_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;
  // Keys whose values columns take ($store.NAME), and their values in the current unit.
  std::vector<std::string> store_keys_;
  std::unordered_map<std::string, std::string> store_;
  std::string user_id_;
  bool lock_held_by_run_ = false;               // SetLockHeldByRun
  bool lock_lost_ = false;                      // LockLost
  std::optional<std::string> settings_digest_;  // agent/run/unit_digest.h; nullopt: never skip
  // A record of the current unit was rejected on what the target held (at identity or commit
  // time), which a rerun may decide otherwise: the unit is not marked loaded whole.
  bool target_decided_reject_ = false;
  // Set while ProcessMarked checks a unit: the rejects met, held (up to the mark's count) until
  // the count is known to match.
  struct MarkCheck {
    int64_t met = 0;
    std::vector<std::pair<std::string, ::ferry::Reject>> rejects;  // (user, reject)
  };
  std::optional<MarkCheck> checking_;
  // Per unit that may be marked: what KeptRejects keeps (its rejects as met, and the counts
  // before it, to take the unit's share).
  struct Recording {
    bool on = false;
    std::string file;
    std::map<std::string, std::pair<int64_t, int64_t>> before;  // entity -> (read, valid)
    std::vector<std::pair<std::string, ::ferry::Reject>> rejects;
    int64_t lossy_before = 0;
    int64_t duplicates_before = 0;
  };
  Recording recording_;
  // Per unit (not in a dry run): its batches held back so that a small unit commits once
  // (agent/run/unit_writes.h), and the ULIDs of its parent rows the target refused.
  std::unique_ptr<UnitWrites> writes_;
  std::unordered_set<std::string> refused_parents_;
  ProgressHook progress_hook_;
  uint64_t unit_bytes_done_ = 0;  // values of the current unit read whole
};

}  // namespace ferry
