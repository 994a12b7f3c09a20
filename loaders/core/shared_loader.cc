#include "loaders/core/shared_loader.h"

#include <set>
#include <string>
#include <utility>

#include "base/fault_point.h"
#include "loaders/core/pre_image_capture.h"
#include "loaders/core/rollback.h"
#include "loaders/core/table_scans.h"
#include "loaders/rekey_lock.h"

namespace ferry {

namespace {

class SharedLoader final : public Loader {
 public:
  explicit SharedLoader(std::unique_ptr<LoaderBackend> backend) : backend_(std::move(backend)) {}
  ~SharedLoader() override { ReleaseLocks(); }

  Status Check(bool dry_run) override;
  Status BeginRun(const RunInfo& run) override;
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override;
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override;
  Status CheckCell(const ColumnDef& column, const Cell& cell) const override {
    return backend_->CheckCell(column, cell);
  }
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override;
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override;
  Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                   const std::vector<UserColumn>& tables, bool* fresh) override;
  Status ConnectionRoom(int* room) override;
  Result<BatchOutcome> Write(const WriteBatch& batch) override;
  bool CanWriteTogether() const override { return backend_->CanWriteTogether(); }
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches) override;
  Status FinishRun(const RunTotals& totals) override;

  Status SchemaStatus(const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) override;
  Status SchemaUp(const std::vector<const TableDef*>& tables,
                  std::vector<SchemaMigration>* applied) override;
  Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                    SchemaMigration* reverted) override;

  Status RecordArchive(const std::string& archive_id) override;
  Status LockUser(const std::string& user_id) override;
  Status UnlockUser(const std::string& user_id) override;
  Status JoinUser(const std::string& user_id) override;
  Status LeaveUser(const std::string& user_id) override;
  Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                        const std::string& unit, std::optional<StoredCheckpoint>* out) override;
  Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                         std::optional<StoredUnitRejects>* out) override;
  Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                       std::vector<StoredUnitMark>* out, bool* complete) override;
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override;
  Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out) override;
  Status ListRuns(int limit, std::vector<RunRecord>* out) override;
  Status ListAuditDetails(const std::string& run_id, const std::string& action,
                          std::vector<std::string>* out) override;
  Status ListLocks(std::vector<LockHolder>* out) override;
  Status ForceUnlock(const std::string& user_id, bool even_alive,
                     std::vector<LockHolder>* cleared) override;
  Status FindDanglingReferences(const TableDef& child, const std::string& column,
                                const TableDef& parent, const std::string& parent_column,
                                size_t limit, std::vector<DanglingReference>* found,
                                int64_t* total) override;
  Status RollBack(const RollbackRequest& request, RollbackOutcome* outcome) override;
  Status ListKeys(const TableDef& table, const std::string& column, const std::string& value,
                  const std::vector<std::string>& after, size_t limit,
                  std::vector<std::vector<std::string>>* keys) override;

 private:
  // Internal("<target> loader: <what>"): a caller broke the call order of loader.h.
  Status OutOfOrder(const std::string& what) const {
    return Status::Internal(std::string(backend_->name()) + " loader: " + what);
  }
  // Internal unless Check() succeeded.
  Status RequireChecked(const char* method) const {
    return checked_ ? Status::OK() : OutOfOrder(std::string(method) + " before a successful Check");
  }
  // For a schema method: Check() (for `writes`, Check(false)) succeeded; then CheckTables.
  Status RequireSchemaTarget(const char* method, const std::vector<const TableDef*>& tables,
                             bool writes) const;
  // Every table non-null and one the target can hold, before anything touches the target.
  Status CheckTables(const std::vector<const TableDef*>& tables) const;
  // Best effort: gives up every lock LockUser took.
  void ReleaseLocks();
  // Locked when another live run holds a lock of the other kind than `user_id`'s: the rekey
  // lock (kRekeyLockUser) against any user's lock (loader.h, LockUser).
  Status CheckRekeyExclusion(const std::string& user_id);

  const std::unique_ptr<LoaderBackend> backend_;
  bool checked_ = false;
  bool dry_run_ = false;
  std::string run_id_;
  PreImageSink* pre_images_ = nullptr;    // RunInfo::pre_images of BeginRun
  CheckpointsBefore checkpoints_before_;  // the capture's, over the run
  std::set<std::string> ensured_tables_;  // names EnsureSchema has seen
  std::set<std::string> locked_users_;    // LockUser took these
};

Status SharedLoader::CheckTables(const std::vector<const TableDef*>& tables) const {
  for (const TableDef* table : tables) {
    if (table == nullptr) {
      return Status::Internal("EnsureSchema was given a null table");
    }
    FERRY_RETURN_IF_ERROR(backend_->CheckTableDef(*table));
  }
  return Status::OK();
}

Status SharedLoader::RequireSchemaTarget(const char* method,
                                         const std::vector<const TableDef*>& tables,
                                         bool writes) const {
  if (!checked_ || (writes && dry_run_)) {
    return OutOfOrder(std::string(method) + (writes ? " without a successful Check(false)"
                                                    : " before a successful Check"));
  }
  return CheckTables(tables);
}

void SharedLoader::ReleaseLocks() {
  if (!locked_users_.empty()) {
    backend_->ReleaseLocks(locked_users_, run_id_);
  }
  locked_users_.clear();
}

Status SharedLoader::Check(bool dry_run) {
  ReleaseLocks();
  ensured_tables_.clear();
  checked_ = false;
  dry_run_ = dry_run;
  FERRY_RETURN_IF_ERROR(backend_->Open(dry_run));
  checked_ = true;
  return Status::OK();
}

Status SharedLoader::BeginRun(const RunInfo& run) {
  if (!checked_) {
    return OutOfOrder("BeginRun before a successful Check");
  }
  if (run.run_id.empty()) {
    return OutOfOrder("BeginRun without a run id");
  }
  run_id_ = run.run_id;
  pre_images_ = run.pre_images;
  checkpoints_before_.Reset();
  dry_run_ = dry_run_ || run.dry_run;
  return backend_->BeginRun(run, dry_run_);
}

Status SharedLoader::RecordArchive(const std::string& archive_id) {
  if (!checked_ || run_id_.empty() || dry_run_) {
    return OutOfOrder("RecordArchive without a run begun, or in a dry run");
  }
  return backend_->RecordArchive(run_id_, archive_id);
}

Status SharedLoader::EnsureSchema(const std::vector<const TableDef*>& tables) {
  if (!checked_) {
    return OutOfOrder("EnsureSchema before a successful Check");
  }
  FERRY_RETURN_IF_ERROR(CheckTables(tables));
  FERRY_RETURN_IF_ERROR(backend_->EnsureSchema(tables, dry_run_));
  for (const TableDef* table : tables) {
    ensured_tables_.insert(table->name);
  }
  return Status::OK();
}

Status SharedLoader::LookupIdentities(const std::string& entity, const std::string& user_id,
                                      const std::vector<std::string>& legacy_ids,
                                      std::vector<std::optional<KnownIdentity>>* out) {
  out->assign(legacy_ids.size(), std::nullopt);
  FERRY_RETURN_IF_ERROR(RequireChecked("LookupIdentities"));
  if (legacy_ids.empty()) {
    return Status::OK();
  }
  return backend_->LookupIdentities(entity, user_id, legacy_ids, out);
}

Status SharedLoader::FetchRows(const TableDef& table, const std::vector<Row>& keys,
                               std::vector<std::optional<Row>>* out) {
  out->assign(keys.size(), std::nullopt);
  FERRY_RETURN_IF_ERROR(RequireChecked("FetchRows"));
  if (keys.empty()) {
    return Status::OK();
  }
  return backend_->FetchRows(table, keys, out);
}

Status SharedLoader::HoldsNoRowWith(const TableDef& table, const std::string& column,
                                    const Cell& value, bool* none) {
  *none = false;
  FERRY_RETURN_IF_ERROR(RequireChecked("HoldsNoRowWith"));
  return backend_->HoldsNoRowWith(table, column, value, none);
}

Status SharedLoader::ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                               const std::vector<UserColumn>& tables, bool* fresh) {
  *fresh = false;
  FERRY_RETURN_IF_ERROR(RequireChecked("ProbeUser"));
  return backend_->ProbeUser(user_id, entities, tables, fresh);
}

Status SharedLoader::ConnectionRoom(int* room) {
  *room = -1;
  FERRY_RETURN_IF_ERROR(RequireChecked("ConnectionRoom"));
  return backend_->ConnectionRoom(room);
}

Result<BatchOutcome> SharedLoader::Write(const WriteBatch& batch) {
  if (!checked_ || dry_run_) {
    return OutOfOrder("Write in a dry-run or before a successful Check");
  }
  if (run_id_.empty()) {
    return OutOfOrder("Write before BeginRun");
  }
  if (batch.table == nullptr || ensured_tables_.count(batch.table->name) == 0) {
    return OutOfOrder("Write to a table not passed to EnsureSchema");
  }
  if (pre_images_ != nullptr) {
    // Before the batch's transaction: a crash between the two leaves a pre-image of a change
    // that never committed, never a committed change without its pre-image.
    FERRY_RETURN_IF_ERROR(
        CapturePreImages(*backend_, batch, run_id_, *pre_images_, nullptr, &checkpoints_before_));
  }
  return backend_->Write(batch, run_id_);
}

Result<std::vector<BatchOutcome>> SharedLoader::WriteTogether(
    const std::vector<WriteBatch>& batches) {
  if (!checked_ || dry_run_) {
    return OutOfOrder("WriteTogether in a dry-run or before a successful Check");
  }
  if (run_id_.empty()) {
    return OutOfOrder("WriteTogether before BeginRun");
  }
  for (const WriteBatch& batch : batches) {
    if (batch.table == nullptr || ensured_tables_.count(batch.table->name) == 0) {
      return OutOfOrder("WriteTogether to a table not passed to EnsureSchema");
    }
  }
  if (pre_images_ != nullptr) {
    // As Write: every pre-image is on disk before the one transaction begins; one sync.
    bool flush_needed = false;
    for (const WriteBatch& batch : batches) {
      FERRY_RETURN_IF_ERROR(CapturePreImages(*backend_, batch, run_id_, *pre_images_, &flush_needed,
                                             &checkpoints_before_));
    }
    if (flush_needed) {
      FERRY_RETURN_IF_ERROR(pre_images_->Flush());
      FaultPoint("preimage.after_flush");  // as CapturePreImages' own flush
    }
  }
  return backend_->WriteTogether(batches, run_id_);
}

Status SharedLoader::FinishRun(const RunTotals& totals) {
  if (dry_run_) {
    return Status::OK();
  }
  if (!checked_ || run_id_.empty()) {
    return OutOfOrder("FinishRun before BeginRun");
  }
  return backend_->FinishRun(run_id_, totals);
}

Status SharedLoader::SchemaStatus(const std::vector<const TableDef*>& tables,
                                  std::vector<SchemaMigration>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireSchemaTarget("SchemaStatus", tables, /*writes=*/false));
  return backend_->SchemaStatus(tables, out);
}

Status SharedLoader::SchemaUp(const std::vector<const TableDef*>& tables,
                              std::vector<SchemaMigration>* applied) {
  applied->clear();
  FERRY_RETURN_IF_ERROR(RequireSchemaTarget("SchemaUp", tables, /*writes=*/true));
  return backend_->SchemaUp(tables, applied);
}

Status SharedLoader::SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                                SchemaMigration* reverted) {
  *reverted = SchemaMigration();
  FERRY_RETURN_IF_ERROR(RequireSchemaTarget("SchemaDown", tables, /*writes=*/true));
  return backend_->SchemaDown(tables, force, reverted);
}

Status SharedLoader::LockUser(const std::string& user_id) {
  if (!checked_ || run_id_.empty()) {
    return OutOfOrder("LockUser before BeginRun");
  }
  if (locked_users_.count(user_id) != 0) {
    return Status::OK();  // never taken twice (PostgreSQL's advisory locks would stack)
  }
  FERRY_RETURN_IF_ERROR(backend_->LockUser(user_id, run_id_, /*check_only=*/dry_run_));
  if (!dry_run_) {
    locked_users_.insert(user_id);
  }
  Status excluded = CheckRekeyExclusion(user_id);
  if (!excluded.ok()) {
    (void)UnlockUser(user_id);  // errors: the row stays, stale once this process ends
  }
  return excluded;
}

Status SharedLoader::CheckRekeyExclusion(const std::string& user_id) {
  const bool rekey = user_id == kRekeyLockUser;
  // The usual case without a round trip: the backend's lock statement proved it.
  if (!rekey && backend_->RekeyExcludedAtLock(user_id)) return Status::OK();
  std::vector<LockHolder> holders;
  FERRY_RETURN_IF_ERROR(backend_->ListLocks(&holders));
  for (const LockHolder& holder : holders) {
    if (!holder.alive || holder.run_id == run_id_) continue;
    if (rekey && holder.user_id != kRekeyLockUser) {
      return Status::Locked("a rekey of this target waits for run " + holder.run_id +
                            ", which holds the lock of user " + holder.user_id + " (host " +
                            holder.host + ", pid " + std::to_string(holder.pid) +
                            "): run it again once that run is done");
    }
    if (!rekey && holder.user_id == kRekeyLockUser) {
      return Status::Locked("user " + user_id + ": run " + holder.run_id +
                            " is re-keying this target (host " + holder.host + ", pid " +
                            std::to_string(holder.pid) +
                            "): nothing is written into it until that rekey is done");
    }
  }
  return Status::OK();
}

Status SharedLoader::UnlockUser(const std::string& user_id) {
  if (locked_users_.count(user_id) == 0) {
    return Status::OK();
  }
  // Still held until the backend has released it: a release that fails midway (a dropped
  // connection, a busy file) is retried, and the retry must release it, not find the user
  // already forgotten and leave the lock naming this live process.
  FERRY_RETURN_IF_ERROR(backend_->UnlockUser(user_id, run_id_));
  locked_users_.erase(user_id);
  return Status::OK();
}

Status SharedLoader::JoinUser(const std::string& user_id) {
  if (!checked_ || run_id_.empty() || dry_run_) {
    return OutOfOrder("JoinUser before BeginRun, or in a dry run");
  }
  return backend_->JoinUser(user_id, run_id_);
}

Status SharedLoader::LeaveUser(const std::string& user_id) { return backend_->LeaveUser(user_id); }

Status SharedLoader::ReadCheckpoint(const std::string& user_id, const std::string& entity,
                                    const std::string& unit, std::optional<StoredCheckpoint>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("ReadCheckpoint"));
  return backend_->ReadCheckpoint(user_id, entity, unit, out);
}

Status SharedLoader::ReadUnitRejects(const std::string& user_id, const std::string& unit,
                                     std::optional<StoredUnitRejects>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("ReadUnitRejects"));
  return backend_->ReadUnitRejects(user_id, unit, out);
}

Status SharedLoader::ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                                   std::vector<StoredUnitMark>* out, bool* complete) {
  out->clear();
  *complete = false;
  FERRY_RETURN_IF_ERROR(RequireChecked("ReadUnitMarks"));
  return backend_->ReadUnitMarks(units, max_kept_bytes, out, complete);
}

Status SharedLoader::ListCheckpoints(const std::string& run_id,
                                     std::vector<CheckpointRecord>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListCheckpoints"));
  return backend_->ListCheckpoints(run_id, out);
}

Status SharedLoader::FindInterruptedRun(const std::string& arguments,
                                        std::optional<RunRecord>* out) {
  out->reset();
  FERRY_RETURN_IF_ERROR(RequireChecked("FindInterruptedRun"));
  return backend_->FindInterruptedRun(arguments, out);
}

Status SharedLoader::ListRuns(int limit, std::vector<RunRecord>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListRuns"));
  return backend_->ListRuns(limit, out);
}

Status SharedLoader::ListAuditDetails(const std::string& run_id, const std::string& action,
                                      std::vector<std::string>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListAuditDetails"));
  return backend_->ListAuditDetails(run_id, action, out);
}

Status SharedLoader::ListLocks(std::vector<LockHolder>* out) {
  out->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListLocks"));
  return backend_->ListLocks(out);
}

Status SharedLoader::ForceUnlock(const std::string& user_id, bool even_alive,
                                 std::vector<LockHolder>* cleared) {
  cleared->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ForceUnlock"));
  if (dry_run_) {
    return OutOfOrder("ForceUnlock after a dry-run Check");
  }
  return backend_->ForceUnlock(user_id, even_alive, cleared);
}

Status SharedLoader::FindDanglingReferences(const TableDef& child, const std::string& column,
                                            const TableDef& parent,
                                            const std::string& parent_column, size_t limit,
                                            std::vector<DanglingReference>* found, int64_t* total) {
  found->clear();
  *total = 0;
  FERRY_RETURN_IF_ERROR(RequireChecked("FindDanglingReferences"));
  return ScanDanglingReferences(*backend_, child, column, parent, parent_column, limit, found,
                                total);
}

Status SharedLoader::RollBack(const RollbackRequest& request, RollbackOutcome* outcome) {
  *outcome = RollbackOutcome();
  FERRY_RETURN_IF_ERROR(RequireChecked("RollBack"));
  if (request.images == nullptr || request.run_id.empty() || (dry_run_ && !request.dry_run)) {
    return OutOfOrder("RollBack without a run, its images, or a Check(false)");
  }
  FERRY_RETURN_IF_ERROR(CheckTables(request.tables));
  // The rows the run inserted by their id-map ULID have no record: derived on every rollback.
  std::vector<PreImage> unkeyed;
  FERRY_RETURN_IF_ERROR(DeriveLostPreImages(*backend_, request.run_id, request.tables,
                                            request.derive_lost, request.images, &unkeyed));
  // Of the unkeyed ones only the archive's records count: they get no fallback.
  FERRY_RETURN_IF_ERROR(CheckUnkeyedRecorded(*request.images, request.run_id, unkeyed));
  // Three passes over the images, none holding them: count (and whose users), check, apply.
  FERRY_RETURN_IF_ERROR(CountRollback(*request.images, outcome));
  // The locks name the run being undone: another ferry sees who holds them.
  run_id_ = request.run_id;
  for (const std::string& user : outcome->users) FERRY_RETURN_IF_ERROR(LockUser(user));
  Status status = CheckNoLaterChange(*backend_, request.run_id, *request.images);
  if (status.ok()) {
    status = CheckNoLaterLoad(*backend_, request.run_id, outcome->users, request.later_runs);
  }
  if (status.ok() && !request.dry_run) {
    status = backend_->ApplyRollback(request.run_id, request.tables, *request.images,
                                     DescribeRollback(*outcome));
  }
  for (const std::string& user : outcome->users) {
    Status unlocked = UnlockUser(user);
    if (status.ok()) status = unlocked;
  }
  return status;
}

}  // namespace

std::unique_ptr<Loader> MakeSharedLoader(std::unique_ptr<LoaderBackend> backend) {
  return std::make_unique<SharedLoader>(std::move(backend));
}

Status SharedLoader::ListKeys(const TableDef& table, const std::string& column,
                              const std::string& value, const std::vector<std::string>& after,
                              size_t limit, std::vector<std::vector<std::string>>* keys) {
  keys->clear();
  FERRY_RETURN_IF_ERROR(RequireChecked("ListKeys"));
  return ScanTableKeys(*backend_, table, column, value, after, limit, keys);
}

}  // namespace ferry
