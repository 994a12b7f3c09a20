// Loader: writes rows into a target database, exactly once, with a conflict policy.
//
// The run calls, in order: Check(), BeginRun(), EnsureSchema(), then for each batch
// LookupIdentities() and (unless dry-run) WriteBatch(), and FinishRun() at the end.
// Each WriteBatch() is one transaction holding the rows, their id-map entries and the run's
// checkpoint, so a crash leaves the whole batch or none of it.
//
// Errors are classified: Status::Unavailable is transient (a retry may succeed), anything
// else is not.
//
// Thread safety: one Loader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"
#include "loaders/rollback_request.h"
#include "loaders/run_records.h"

namespace ferry {

struct PreImage;  // loaders/core/pre_image.h

enum class ConflictPolicy { kSkip, kOverwrite, kMerge };

const char* ConflictPolicyName(ConflictPolicy policy);
std::optional<ConflictPolicy> ParseConflictPolicy(const std::string& name);

// What a target remembers of one identity (entity, user, legacy id) from earlier runs.
struct KnownIdentity {
  std::string ulid;          // the ULID given to it; empty for entities without one
  std::string content_hash;  // hash of the row last written for it
  std::string run_id = {};   // the run that wrote it last
};

// A mapping table and its column holding the user id (Loader::ProbeUser). The table must have
// a key leading with the column (an index serves the probe).
struct UserColumn {
  const TableDef* table = nullptr;
  std::string column;
};

// An id-map row with the run that wrote it last (LoaderBackend::ListRunIdentities).
struct RunIdentity {
  std::string user_id;
  std::string entity;
  std::string legacy_id;
  std::string ulid;
};

// Where a run's pre-images go (loaders/core/pre_image.h): its backup archive
// (agent/run/pre_image_archive.h). Shared by every loader of the run.
// Thread safety: every method may be called from any thread.
class PreImageSink {
 public:
  virtual ~PreImageSink() = default;
  // Appends one record (buffered).
  virtual Status Append(std::string_view record) = 0;
  // Makes every record appended so far durable: returns once they are synced to disk.
  virtual Status Flush() = 0;
};

// One row's identity, written to the id map with the row.
struct IdentityRecord {
  std::string legacy_id;
  std::string ulid;
  std::string content_hash;
  bool known = false;  // the id map had this identity when the batch was classified
  // The row is one the target already held under a unique key of the mapping (written by hand
  // or by another tool) that the client adopted: the row carries that row's primary key and
  // is upserted by it, never plainly inserted (agent/run/commit_batch.h).
  bool adopted = false;
  // Only the id-map row is written: the target's row stays as it is (an adopted row the policy
  // keeps). The loader counts it nowhere; the client counts it skipped or unchanged.
  bool keep_row = false;
};

// Where the run has got to, stored with each batch so that a resumed run can go on after it.
struct Checkpoint {
  std::string unit;  // the source unit (file / store) of the batch
  std::string entity;
  int64_t position = 0;  // index of the last record of the batch in its unit and entity
};

// A bounded set of rows of one entity and one user, written in one transaction.
// One row of the target's audit log (ferry.audit_log / ferry_audit_log) a batch writes in its
// own transaction, so that it is there exactly when the batch is.
struct AuditEntry {
  std::string action;
  std::string detail;  // names and keys only, never a value of the data
};

struct WriteBatch {
  const TableDef* table = nullptr;  // REQUIRES: non-null, passed to EnsureSchema earlier
  std::string entity;
  std::string user_id;
  ConflictPolicy policy = ConflictPolicy::kSkip;
  std::vector<Row> rows;
  std::vector<IdentityRecord> identities;  // one per row, same order
  Checkpoint checkpoint;
  // A row breaking a foreign key of the target's is returned in BatchOutcome::rejected and the
  // rest written (--continue-on-error); when false the batch fails (Rejected, naming the key)
  // and nothing of it is written, as for a reject found before the write.
  bool reject_broken_keys = false;
  // Written to the audit log under the run's id with the batch (--conflict interactive's
  // decisions: agent/run/conflict_decision.h). A batch of no rows but entries is written too.
  std::vector<AuditEntry> audit = {};
  // With a unit's mark (a checkpoint of kUnitDoneEntity, loaders/unit_mark.h): the rejects and
  // counts kept beside it (agent/run/unit_rejects.h), written in the mark's transaction so
  // that a kill leaves both or neither; they replace what was kept for (user, unit). Empty:
  // nothing kept. A target that keeps nothing (ReadUnitRejects' default) ignores it.
  std::string unit_rejects = {};
};

// A row of a batch the target refused on its own (a foreign key of the application's): the
// rest of the batch is written, this row and its id-map entry are not.
struct RowReject {
  size_t row = 0;      // index into WriteBatch::rows
  std::string reason;  // names the constraint
};

struct BatchOutcome {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t skipped = 0;
  int64_t merged = 0;
  std::vector<RowReject> rejected;
};

struct RunInfo {
  std::string run_id;       // a ULID
  std::string arguments;    // the command line, secrets removed
  bool dry_run = false;     // when true nothing may be written or created
  std::string fingerprint;  // of the sources as read (agent/run/source_fingerprint.h)
  // Joins a run another loader began (--jobs workers): BeginRun records nothing, it only
  // tells the loader the run id its id-map rows and checkpoints carry.
  bool attach = false;
  // The interrupted run with these arguments that --restart replaces: recorded as
  // 'abandoned' when this run begins, so that it is neither resumed nor offered again.
  std::string supersedes = {};
  // When set, each Write first records the pre-image of every row, id-map row and checkpoint
  // it changes here, and flushes it, before its transaction commits (docs/design.md, "The way
  // back"). Not owned; outlives the loader's run.
  PreImageSink* pre_images = nullptr;
  // The id of the archive the pre-images go to: BeginRun writes it to the audit log (action
  // "backup"), once per archive, so that the run's history names every archive it has, and
  // to the run's row (RunRecord::archive), where a session without one keeps the last.
  std::string archive = {};
};

class Loader {
 public:
  Loader() = default;
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;
  virtual ~Loader() = default;

  // Connects (or opens) and checks the target is usable; in dry-run never creates it.
  virtual Status Check(bool dry_run) = 0;

  // Records the run in the bookkeeping tables (nothing in dry-run).
  virtual Status BeginRun(const RunInfo& run) = 0;

  // Creates missing tables and the bookkeeping tables, recording each as a schema migration in
  // the transaction that creates it, and records ("adopts") an existing unrecorded table; in
  // dry-run only checks. Fails naming the table when an existing one cannot be adopted (a
  // missing column, a type whose values would not read back, an unwritten NOT NULL column, a
  // mapping key no constraint enforces), or (Corruption) when a recorded one changed or is
  // missing (SchemaUp); every table is checked before anything, bookkeeping included, is
  // written.
  virtual Status EnsureSchema(const std::vector<const TableDef*>& tables) = 0;

  // For each legacy id, what the id map knows of (entity, user, id), or nullopt.
  // `out` is resized to legacy_ids.size().
  virtual Status LookupIdentities(const std::string& entity, const std::string& user_id,
                                  const std::vector<std::string>& legacy_ids,
                                  std::vector<std::optional<KnownIdentity>>* out) = 0;

  // The rows of `table` whose primary key equals one of `keys` (each a Row holding the
  // primary-key cells, in primary_key order), for deciding each conflict against the row
  // that is there. The key is whatever table.primary_key names: a copy of the TableDef whose
  // primary_key lists a unique key's columns reads by that unique key. `out` is resized to
  // keys.size(); an absent row is nullopt. Reads only; allowed in dry-run.
  virtual Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                           std::vector<std::optional<Row>>* out) = 0;

  // Sets *none to true when `table` holds no row whose `column` equals `value` (it may be
  // absent, in a dry run), so that reads under a key holding that column can be skipped (a
  // first load: agent/run/existing_rows.h). Reads only; allowed in dry-run. The default
  // cannot tell: *none = false.
  virtual Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                                bool* none) {
    (void)table, (void)column, (void)value;
    *none = false;
    return Status::OK();
  }

  // Sets *fresh to true when the target holds nothing of `user_id`: no id-map row of the user
  // under any of `entities`, and no row of any of `tables` whose user column holds it (a table
  // or an id map that does not exist yet, in a dry run, holds none). One read for the whole
  // user, in place of an id-map lookup and a probe per entity (agent/run/user_probe.h). Only
  // a run holding the user's lock may act on it. Reads only; allowed in dry-run. The default
  // cannot tell: *fresh = false.
  virtual Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                           const std::vector<UserColumn>& tables, bool* fresh) {
    (void)user_id, (void)entities, (void)tables;
    *fresh = false;
    return Status::OK();
  }

  // Sets *room to how many more connections the target takes now (PostgreSQL: max_connections
  // less the reserved ones less those open), for choosing the default number of workers; -1
  // when it has no such limit (the default).
  virtual Status ConnectionRoom(int* room) {
    *room = -1;
    return Status::OK();
  }

  // OK when the target's column of `column`'s type can hold `cell`; else InvalidArgument naming
  // the column and what it cannot hold, as Write would fail. The run checks every cell of a
  // record before its batch is sent, so that such a record is a reject, not a failed batch.
  // Pure (no I/O); allowed in dry-run. The default holds anything (for test doubles).
  virtual Status CheckCell(const ColumnDef& column, const Cell& cell) const;

  // Writes the batch, its identities and its checkpoint in one transaction.
  // REQUIRES: BeginRun() and EnsureSchema() succeeded; not dry-run.
  virtual Result<BatchOutcome> Write(const WriteBatch& batch) = 0;

  // True when WriteTogether is supported (the default: false; the caller then uses Write).
  virtual bool CanWriteTogether() const { return false; }

  // Writes `batches` in order in one transaction, each as Write would, or none of them: one
  // commit for a small user's entities and its unit mark. A row a foreign key of the
  // application's refuses fails the whole (Rejected) whatever reject_broken_keys says: the
  // caller then writes the batches one by one. The outcomes are in the batches' order.
  // REQUIRES: CanWriteTogether(); as Write for each batch.
  virtual Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches);

  // Marks the run finished with its totals (nothing in dry-run).
  virtual Status FinishRun(const RunTotals& totals) = 0;

  // Records `archive_id` as the backup archive of the run BeginRun recorded or joined, made
  // at the run's first write (agent/run/first_write_backup.h): on the run's row
  // (RunRecord::archive) and in the audit log (action "backup"), committed durably before it
  // returns, as BeginRun records RunInfo::archive. Empty: this session made no archive as it
  // wrote nothing; the audit log alone says so (kNoBackupAction). REQUIRES: BeginRun; not
  // dry-run.
  virtual Status RecordArchive(const std::string& archive_id);

  // --- Exactly once and one run per user (agent/run; docs/reliability.md) ---
  // These and the administration methods below default to Status::Internal("... is not
  // supported by this target") (loader.cc), so that a test double implements only what it
  // uses.

  // Takes the lock of (target, user) for the run begun with BeginRun, until UnlockUser, the
  // loader's destruction or the process's end. Locked, naming the holder (run, host, pid,
  // since), when another live holder has it (another loader of the same process and run
  // too); OK when this loader holds it already. A stale lock (its holder gone) is taken over
  // and the take-over written to the audit log. After a reconnect the loader takes its locks
  // again (Locked when another run took one meanwhile). Dry-run: checks only, takes nothing.
  // REQUIRES: BeginRun() succeeded.
  virtual Status LockUser(const std::string& user_id);

  // Releases the lock LockUser took; OK when not held.
  virtual Status UnlockUser(const std::string& user_id);

  // Writes `user_id`'s rows under the lock another loader of this run and process holds
  // (LockUser there), several loaders at once (agent/run/unit_pool.h: a database's tables).
  // OK when that loader holds it; Locked when another run does; Unavailable when nobody does
  // (the holder is reconnecting). Until LeaveUser no other run can take the user's lock, even
  // if the holder's connection is lost. After a reconnect the loader joins again. PostgreSQL
  // only (loaders/postgresql/user_writers.h). REQUIRES: BeginRun() succeeded, not dry-run.
  virtual Status JoinUser(const std::string& user_id);
  // Ends what JoinUser began; OK when not joined.
  virtual Status LeaveUser(const std::string& user_id);

  // The checkpoint of (user, entity, unit) as committed, or nullopt when none is.
  // REQUIRES: Check() succeeded. Reads only.
  virtual Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                                const std::string& unit, std::optional<StoredCheckpoint>* out);

  // What a unit's mark kept beside it for (user, unit) (WriteBatch::unit_rejects: the rejects
  // and counts of a unit loaded whole but for rejects, so that a rerun gives them back without
  // reading the unit: docs/reliability.md, "Rerun"), or nullopt. Reads only. The default keeps
  // nothing (and ignores WriteBatch::unit_rejects): a rerun reads the unit again.
  virtual Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                                 std::optional<StoredUnitRejects>* out);

  // The marks (loaders/unit_mark.h) of many units in one statement, for a run that meets many
  // units (agent/run/unit_marks.h): sets *out to the mark of every (user, unit) whose unit is
  // one of `units`, any user's, with what it kept (ReadUnitRejects; a body longer than
  // `max_kept_bytes` is left out: StoredUnitMark::kept_left_out), as ReadCheckpoint(user,
  // kUnitDoneEntity, unit) and ReadUnitRejects(user, unit) give them. *complete false when
  // the target cannot read them so (the default; an older ferry's bookkeeping): nothing is
  // read, and the caller reads each unit alone. REQUIRES: Check() succeeded. Reads only.
  virtual Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                               std::vector<StoredUnitMark>* out, bool* complete);

  // The checkpoints last written by run `run_id` (every run's when empty), ordered by user,
  // entity and unit. REQUIRES: Check() succeeded. Reads only; empty before the first run.
  virtual Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out);

  // The newest run recorded with exactly these arguments that is "interrupted" (see
  // RunRecord::status), or nullopt. REQUIRES: Check() succeeded. Reads only.
  virtual Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out);

  // The rows of `child` whose `column` is not null and names no row of `parent` under
  // `parent_column`: the first `limit` of them by key, and (*total) how many there are.
  // REQUIRES: Check() succeeded (a dry-run Check is enough); both tables exist. Reads only.
  virtual Status FindDanglingReferences(const TableDef& child, const std::string& column,
                                        const TableDef& parent, const std::string& parent_column,
                                        size_t limit, std::vector<DanglingReference>* found,
                                        int64_t* total);

  // The primary keys of `table`'s rows whose `column` equals `value` (every row when `column` is
  // empty), in key order: the first `limit` after the key `after` (from the first row when
  // empty), each key's cells as text (*keys; `after` is a key as it returned one). Called
  // again with the last key, it pages through a table of any size (`ferry validate`).
  // REQUIRES: Check() succeeded (a dry-run Check is enough); the table exists. Reads only.
  virtual Status ListKeys(const TableDef& table, const std::string& column,
                          const std::string& value, const std::vector<std::string>& after,
                          size_t limit, std::vector<std::vector<std::string>>* keys);

  // --- Administration: `ferry status`, `ferry unlock`, `ferry schema` ---

  // The newest `limit` runs (all when limit <= 0), newest first. REQUIRES: Check() succeeded
  // (a dry-run Check is enough). Reads only; OK and empty before the first run.
  virtual Status ListRuns(int limit, std::vector<RunRecord>* out);

  // The details of run `run_id`'s audit-log entries under `action`, in the order written.
  // REQUIRES: Check() succeeded (a dry-run Check is enough). Reads only; OK and empty
  // without an audit log.
  virtual Status ListAuditDetails(const std::string& run_id, const std::string& action,
                                  std::vector<std::string>* out);

  // The locks recorded now, by user id, with whether each holder is alive. REQUIRES: Check()
  // succeeded (a dry-run Check is enough). Reads only.
  virtual Status ListLocks(std::vector<LockHolder>* out);

  // Clears the locks of holders that are not alive (all of them, or `user_id`'s when it is
  // not empty), writing each to the audit log; *cleared lists them, `alive` telling whether
  // the holder was alive. A live holder's lock is left alone unless `even_alive` (PostgreSQL:
  // its backend is terminated first; SQLite: its row is deleted, the process is not touched).
  // REQUIRES: Check(false) succeeded.
  virtual Status ForceUnlock(const std::string& user_id, bool even_alive,
                             std::vector<LockHolder>* cleared);

  // The target's schema migrations for `tables` (ferry's bookkeeping, every recorded mapping
  // table, then a pending one per table of `tables` not recorded yet), oldest first.
  // REQUIRES: Check() succeeded (a dry-run Check is enough). Reads only.
  virtual Status SchemaStatus(const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* out);

  // Applies the pending migrations, the bookkeeping first, one transaction each under the DDL
  // lock: creates each missing table, or records ("adopts") one that exists and can take the
  // mapping's rows, then applies each evolution step of a table the mapping changed
  // (loaders/schema_evolution.h). Refuses before applying anything, naming the table and the
  // version: InvalidArgument when the mapping changed a recorded table in a way ferry cannot
  // evolve, an existing one cannot be adopted, or rows share a unique key a step adds;
  // Corruption when a recorded table is missing. *applied lists what it applied.
  // REQUIRES: Check(false) succeeded.
  virtual Status SchemaUp(const std::vector<const TableDef*>& tables,
                          std::vector<SchemaMigration>* applied);

  // Reverts the newest applied migration of a table of `tables`, in one transaction: an
  // evolution step is undone (its column or index dropped; a column holding values only with
  // `force`), the table and its rows staying; else drops the table, deletes its history row and
  // its entity's id-map and checkpoint rows. Refuses
  // (InvalidArgument) to drop a table that holds rows unless `force`; NotFound when no table of
  // `tables` is recorded. Never reverts the bookkeeping (version 1). An adopted table is never
  // dropped: only its record goes. *reverted is what it reverted. REQUIRES: Check(false)
  // succeeded.
  virtual Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                            SchemaMigration* reverted);

  // --- The way back: `ferry rollback` (docs/design.md, "Rollback") ---

  // Takes the lock of every user the images name (Locked naming a live holder), refuses
  // (InvalidArgument naming the run) when a later run changed again an id-map row the run
  // wrote and is not rolled back, then, unless request.dry_run, in one transaction: puts back
  // every image (deletes what was absent, writes back what was there), marks the run
  // kRolledBackStatus and writes the audit log. All of it or nothing: after a crash the same
  // request ends in the same target. Releases the locks. *outcome counts what it did.
  // REQUIRES: Check(request.dry_run) succeeded; request.images non-null.
  virtual Status RollBack(const RollbackRequest& request, RollbackOutcome* outcome);
};

// What a target is: its kind (registry name) and the address as the user gave it.
struct TargetSpec {
  std::string kind;  // "sqlite", "postgresql"
  std::string url;   // "sqlite:ferry.db" / "postgresql://..."
  std::string path;  // for file targets, the path after the prefix
};

}  // namespace ferry
