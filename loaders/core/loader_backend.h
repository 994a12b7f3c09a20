// LoaderBackend: what one kind of target (PostgreSQL, SQLite) does for the shared loader
// (shared_loader.h): the I/O of each Loader step and nothing else.
//
// The shared loader keeps what both targets did alike: the call order (Check, then BeginRun,
// then Write...) and its Internal errors, the run id and dry-run flag, which tables EnsureSchema
// saw and which users LockUser locked. A backend keeps its connection and what only its target
// needs (PostgreSQL: reconnecting and taking its locks again; SQLite: a dry run of a missing
// file, which has no connection and reads as empty).
//
// Each method REQUIRES what the shared loader checked before calling it (named per method);
// its out-parameters arrive cleared. Its Status is the Loader method's (loader.h).
//
// Thread safety: used by the one thread that uses its loader.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "loaders/core/pre_image.h"
#include "loaders/loader.h"

namespace ferry {

class LoaderBackend {
 public:
  LoaderBackend() = default;
  LoaderBackend(const LoaderBackend&) = delete;
  LoaderBackend& operator=(const LoaderBackend&) = delete;
  virtual ~LoaderBackend() = default;

  // How the loader's messages name the target: "PostgreSQL", "SQLite".
  virtual const char* name() const = 0;

  // --- The run (Loader::Check ... Loader::FinishRun) ---

  // Drops any earlier connection and what it knew, then connects (or opens) and checks the
  // target's bookkeeping; in dry-run never creates anything.
  virtual Status Open(bool dry_run) = 0;

  // Checks one of EnsureSchema's or a schema method's tables before anything touches the
  // target (names the target refuses, types it cannot hold). Pure.
  virtual Status CheckTableDef(const TableDef& table) const = 0;

  // Loader::CheckCell. Pure.
  virtual Status CheckCell(const ColumnDef& column, const Cell& cell) const = 0;

  // Loader::BeginRun. `dry_run` (the Check's or the run's): records nothing.
  // REQUIRES: Open succeeded; run.run_id not empty.
  virtual Status BeginRun(const RunInfo& run, bool dry_run) = 0;

  // Loader::RecordArchive for run `run_id`. REQUIRES: BeginRun recorded or joined the run.
  virtual Status RecordArchive(const std::string& run_id, const std::string& archive_id) {
    (void)run_id, (void)archive_id;
    return Status::Internal("RecordArchive is not supported by this target");
  }

  // Loader::EnsureSchema. REQUIRES: Open succeeded; every table non-null and checked.
  virtual Status EnsureSchema(const std::vector<const TableDef*>& tables, bool dry_run) = 0;

  // Loader::LookupIdentities. REQUIRES: Open succeeded; legacy_ids not empty; *out sized.
  virtual Status LookupIdentities(const std::string& entity, const std::string& user_id,
                                  const std::vector<std::string>& legacy_ids,
                                  std::vector<std::optional<KnownIdentity>>* out) = 0;

  // The next `limit` id-map rows (of this target's schema) that run `run_id` wrote last, in the
  // order of the id map's key, after `after` (null: from the first): what a rollback derives
  // the inserts from that a killed session left without pre-images (loaders/core/rollback.h).
  // Fewer than `limit`: the last page. REQUIRES: Open succeeded; limit > 0.
  virtual Status ListRunIdentities(const std::string& run_id, const RunIdentity* after,
                                   size_t limit, std::vector<RunIdentity>* out) = 0;

  // Loader::FetchRows. REQUIRES: Open succeeded; keys not empty; *out sized, all nullopt.
  virtual Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                           std::vector<std::optional<Row>>* out) = 0;

  // Loader::HoldsNoRowWith. REQUIRES: Open succeeded. The default cannot tell: *none = false.
  virtual Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                                bool* none) {
    (void)table, (void)column, (void)value;
    *none = false;
    return Status::OK();
  }

  // Loader::ProbeUser. REQUIRES: Open succeeded. The default cannot tell: *fresh = false.
  virtual Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                           const std::vector<UserColumn>& tables, bool* fresh) {
    (void)user_id, (void)entities, (void)tables;
    *fresh = false;
    return Status::OK();
  }

  // Loader::ConnectionRoom. REQUIRES: Open succeeded. The default: no limit (-1).
  virtual Status ConnectionRoom(int* room) {
    *room = -1;
    return Status::OK();
  }

  // Loader::Write for run `run_id`. REQUIRES: Open(false) succeeded, BeginRun recorded the run,
  // EnsureSchema saw batch.table.
  virtual Result<BatchOutcome> Write(const WriteBatch& batch, const std::string& run_id) = 0;

  // Loader::CanWriteTogether and Loader::WriteTogether; the default cannot. REQUIRES: as Write
  // for each batch.
  virtual bool CanWriteTogether() const { return false; }
  virtual Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches,
                                                          const std::string& run_id) {
    (void)batches, (void)run_id;
    return Status::Internal(std::string(name()) + ": WriteTogether is not supported");
  }

  // Loader::FinishRun. REQUIRES: not dry-run; BeginRun recorded `run_id`.
  virtual Status FinishRun(const std::string& run_id, const RunTotals& totals) = 0;

  // --- Locks (Loader::LockUser, Loader::UnlockUser) ---

  // Takes (or, with `check_only`, only checks) the lock of `user_id` for `run_id`.
  // REQUIRES: BeginRun succeeded; the loader does not hold the lock yet.
  virtual Status LockUser(const std::string& user_id, const std::string& run_id,
                          bool check_only) = 0;

  // Releases a lock LockUser took. REQUIRES: the loader holds it.
  virtual Status UnlockUser(const std::string& user_id, const std::string& run_id) = 0;

  // Loader::JoinUser, Loader::LeaveUser. The default: not supported by this target.
  virtual Status JoinUser(const std::string& user_id, const std::string& run_id) {
    (void)user_id, (void)run_id;
    return Status::Internal(std::string(name()) + ": JoinUser is not supported");
  }
  virtual Status LeaveUser(const std::string& user_id) {
    (void)user_id;
    return Status::Internal(std::string(name()) + ": LeaveUser is not supported");
  }

  // Best effort, without reconnecting: releases every lock of `user_ids` (a lock left behind
  // stays as a stale one, which the next run takes over).
  virtual void ReleaseLocks(const std::set<std::string>& user_ids, const std::string& run_id) = 0;

  // True when LockUser took the lock of `user_id` (held now) in a way that proves no rekey of
  // another run is running or starting unseen (PostgreSQL: user_lock.h), so that the caller
  // need not list the locks to look for one. The default cannot tell: false.
  virtual bool RekeyExcludedAtLock(const std::string& user_id) const {
    (void)user_id;
    return false;
  }

  // --- The bookkeeping read back (Loader::ReadCheckpoint ... Loader::ForceUnlock) ---
  // REQUIRES: Open succeeded; ForceUnlock: Open(false).

  virtual Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                                const std::string& unit, std::optional<StoredCheckpoint>* out) = 0;
  virtual Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) = 0;
  // The checkpoints of `user_id` (of the target's schema), any run's, in one statement (the
  // pre-image capture's, loaders/core/checkpoints_before.h): *complete false when the user has
  // more than `limit` of them (*out then holds some) or the target cannot list them, and the
  // caller reads each with ReadCheckpoint. Only user_id, entity, unit, position and run_id
  // are filled.
  virtual Status ListUserCheckpoints(const std::string& user_id, size_t limit,
                                     std::vector<CheckpointRecord>* out, bool* complete) {
    (void)user_id, (void)limit;
    out->clear();
    *complete = false;
    return Status::OK();
  }
  // Loader::ReadUnitMarks. By default the target cannot (*complete false).
  virtual Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                               std::vector<StoredUnitMark>* out, bool* complete) {
    (void)units, (void)max_kept_bytes;
    out->clear();
    *complete = false;
    return Status::OK();
  }
  // Loader::ReadUnitRejects. By default nothing is kept (Write ignores
  // WriteBatch::unit_rejects).
  virtual Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                                 std::optional<StoredUnitRejects>* out) {
    (void)user_id, (void)unit;
    out->reset();
    return Status::OK();
  }
  virtual Status FindInterruptedRun(const std::string& arguments,
                                    std::optional<RunRecord>* out) = 0;
  // With each run's recorded error (RunRecord::error).
  virtual Status ListRuns(int limit, std::vector<RunRecord>* out) = 0;
  virtual Status ListAuditDetails(const std::string& run_id, const std::string& action,
                                  std::vector<std::string>* out) {
    (void)run_id, (void)action, (void)out;
    return Status::Internal("ListAuditDetails is not supported by this target");
  }
  virtual Status ListLocks(std::vector<LockHolder>* out) = 0;
  virtual Status ForceUnlock(const std::string& user_id, bool even_alive,
                             std::vector<LockHolder>* cleared) = 0;

  // --- Queries the shared loader writes once (the dialect seam) ---

  // `name` as the target's SQL names the mapping table: quoted, and qualified by the schema
  // the mapping's tables live in where there is one. REQUIRES: Open succeeded.
  virtual Result<std::string> QuotedTable(const std::string& name) = 0;

  // Runs `sql`, a SELECT in the SQL both targets speak (double-quoted identifiers, CAST(x AS
  // TEXT), window functions), every selected value as text or nullopt for NULL.
  // REQUIRES: Open succeeded. Reads only.
  virtual Status SelectText(const std::string& sql,
                            std::vector<std::vector<std::optional<std::string>>>* rows) = 0;

  // --- Schema migrations (Loader::SchemaStatus, SchemaUp, SchemaDown) ---
  // REQUIRES: Open succeeded (SchemaUp, SchemaDown: Open(false)); every table checked.

  virtual Status SchemaStatus(const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* out) = 0;
  virtual Status SchemaUp(const std::vector<const TableDef*>& tables,
                          std::vector<SchemaMigration>* applied) = 0;
  virtual Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                            SchemaMigration* reverted) = 0;

  // --- Rollback (Loader::RollBack; the checks and counts are the shared loader's) ---

  // In one transaction: puts back each image in order (a row of `tables` by its primary key,
  // an id-map row, a checkpoint: deleted when the image is absent, else written as the image
  // has it; an id-map row's updated_at is now), sets run `run_id`'s status to
  // kRolledBackStatus, writes `detail` to the audit log (action "rollback") and commits,
  // passing FaultPoint("rollback.before_commit") first. Nothing of it stays after a failure.
  // REQUIRES: Open(false) succeeded; every kRow image's table among `tables`, which exist.
  // The images are read once per call (PreImageStream::ForEach), streamed into the transaction.
  virtual Status ApplyRollback(const std::string& run_id,
                               const std::vector<const TableDef*>& tables, PreImageStream& images,
                               const std::string& detail) = 0;
};

}  // namespace ferry
