// ForwardingLoader: a Loader that hands every call to another, for decorators that change a
// few of them (the run's backup gate, agent/run/first_write_backup.h) without restating the
// rest.
//
// Thread safety: as the inner loader.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loaders/loader.h"

namespace ferry {

class ForwardingLoader : public Loader {
 public:
  explicit ForwardingLoader(std::unique_ptr<Loader> inner) : inner_(std::move(inner)) {}

  Result<BatchOutcome> Write(const WriteBatch& batch) override { return inner_->Write(batch); }
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches) override {
    return inner_->WriteTogether(batches);
  }
  Status Check(bool dry_run) override { return inner_->Check(dry_run); }
  Status BeginRun(const RunInfo& run) override { return inner_->BeginRun(run); }
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override {
    return inner_->EnsureSchema(tables);
  }
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override {
    return inner_->LookupIdentities(entity, user_id, legacy_ids, out);
  }
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override {
    return inner_->FetchRows(table, keys, out);
  }
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override {
    return inner_->HoldsNoRowWith(table, column, value, none);
  }
  Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                   const std::vector<UserColumn>& tables, bool* fresh) override {
    return inner_->ProbeUser(user_id, entities, tables, fresh);
  }
  Status ConnectionRoom(int* room) override { return inner_->ConnectionRoom(room); }
  Status CheckCell(const ColumnDef& column, const Cell& cell) const override {
    return inner_->CheckCell(column, cell);
  }
  bool CanWriteTogether() const override { return inner_->CanWriteTogether(); }
  Status FinishRun(const RunTotals& totals) override { return inner_->FinishRun(totals); }
  Status RecordArchive(const std::string& archive_id) override {
    return inner_->RecordArchive(archive_id);
  }
  Status LockUser(const std::string& user_id) override { return inner_->LockUser(user_id); }
  Status UnlockUser(const std::string& user_id) override { return inner_->UnlockUser(user_id); }
  Status JoinUser(const std::string& user_id) override { return inner_->JoinUser(user_id); }
  Status LeaveUser(const std::string& user_id) override { return inner_->LeaveUser(user_id); }
  Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                        const std::string& unit, std::optional<StoredCheckpoint>* out) override {
    return inner_->ReadCheckpoint(user_id, entity, unit, out);
  }
  Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                         std::optional<StoredUnitRejects>* out) override {
    return inner_->ReadUnitRejects(user_id, unit, out);
  }
  Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                       std::vector<StoredUnitMark>* out, bool* complete) override {
    return inner_->ReadUnitMarks(units, max_kept_bytes, out, complete);
  }
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override {
    return inner_->ListCheckpoints(run_id, out);
  }
  Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out) override {
    return inner_->FindInterruptedRun(arguments, out);
  }
  Status FindDanglingReferences(const TableDef& child, const std::string& column,
                                const TableDef& parent, const std::string& parent_column,
                                size_t limit, std::vector<DanglingReference>* found,
                                int64_t* total) override {
    return inner_->FindDanglingReferences(child, column, parent, parent_column, limit, found,
                                          total);
  }
  Status ListKeys(const TableDef& table, const std::string& column, const std::string& value,
                  const std::vector<std::string>& after, size_t limit,
                  std::vector<std::vector<std::string>>* keys) override {
    return inner_->ListKeys(table, column, value, after, limit, keys);
  }
  Status ListRuns(int limit, std::vector<RunRecord>* out) override {
    return inner_->ListRuns(limit, out);
  }
  Status ListAuditDetails(const std::string& run_id, const std::string& action,
                          std::vector<std::string>* out) override {
    return inner_->ListAuditDetails(run_id, action, out);
  }
  Status ListLocks(std::vector<LockHolder>* out) override { return inner_->ListLocks(out); }
  Status ForceUnlock(const std::string& user_id, bool even_alive,
                     std::vector<LockHolder>* cleared) override {
    return inner_->ForceUnlock(user_id, even_alive, cleared);
  }
  Status SchemaStatus(const std::vector<const TableDef*>& tables,
                      std::vector<SchemaMigration>* out) override {
    return inner_->SchemaStatus(tables, out);
  }
  Status SchemaUp(const std::vector<const TableDef*>& tables,
                  std::vector<SchemaMigration>* applied) override {
    return inner_->SchemaUp(tables, applied);
  }
  Status SchemaDown(const std::vector<const TableDef*>& tables, bool force,
                    SchemaMigration* reverted) override {
    return inner_->SchemaDown(tables, force, reverted);
  }
  Status RollBack(const RollbackRequest& request, RollbackOutcome* outcome) override {
    return inner_->RollBack(request, outcome);
  }

 protected:
  Loader* inner() { return inner_.get(); }

 private:
  std::unique_ptr<Loader> inner_;
};

}  // namespace ferry
