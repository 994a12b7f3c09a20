// A LoaderBackend that records each call the shared loader makes and fails the calls it is
// told to, for the SharedLoader tests (loaders/core/shared_loader.h): its steps, locks and
// batches (shared_loader_test.cc), its pre-images and rollback (shared_loader_rollback_test.cc).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loaders/core/loader_backend.h"
#include "loaders/core/shared_loader.h"

namespace ferry::shared_loader_testing {

// Records each call the shared loader makes; fails the calls it is told to.
struct Calls {
  std::vector<std::string> names;
  bool fail_unlock = false;
  std::vector<std::vector<std::optional<std::string>>> rows;  // what SelectText returns
  std::optional<KnownIdentity> known;                         // what LookupIdentities finds
  std::optional<StoredCheckpoint> checkpoint;                 // what ReadCheckpoint finds
  // ListUserCheckpoints lists the user's (`checkpoint`, as of entity "tasks" and unit "unit");
  // false: it cannot (LoaderBackend's default), and each batch's is read.
  bool list_user_checkpoints = false;
  std::vector<RunIdentity> run_identities;  // ListRunIdentities: one page
  std::map<std::string, std::vector<CheckpointRecord>> run_checkpoints;  // ListCheckpoints, by run
  int count(const std::string& name) const {
    int n = 0;
    for (const std::string& called : names) n += called == name ? 1 : 0;
    return n;
  }
};

class FakeBackend final : public LoaderBackend {
 public:
  explicit FakeBackend(Calls* calls) : calls_(calls) {}
  const char* name() const override { return "Fake"; }
  Status Open(bool) override { return Note("Open"); }
  Status CheckTableDef(const TableDef& table) const override {
    return table.name == "bad" ? Status::InvalidArgument("bad table") : Status::OK();
  }
  Status CheckCell(const ColumnDef&, const Cell&) const override { return Status::OK(); }
  Status BeginRun(const RunInfo&, bool dry_run) override {
    return Note(dry_run ? "BeginRun(dry)" : "BeginRun");
  }
  Status EnsureSchema(const std::vector<const TableDef*>&, bool) override {
    return Note("EnsureSchema");
  }
  Status LookupIdentities(const std::string&, const std::string&, const std::vector<std::string>&,
                          std::vector<std::optional<KnownIdentity>>* out) override {
    for (auto& known : *out) known = calls_->known;
    return Note("LookupIdentities");
  }
  Status ListRunIdentities(const std::string&, const RunIdentity* after, size_t,
                           std::vector<RunIdentity>* out) override {
    out->clear();
    if (after == nullptr) *out = calls_->run_identities;
    return Note("ListRunIdentities");
  }
  Status FetchRows(const TableDef&, const std::vector<Row>&,
                   std::vector<std::optional<Row>>*) override {
    return Note("FetchRows");
  }
  Result<BatchOutcome> Write(const WriteBatch&, const std::string&) override {
    FERRY_RETURN_IF_ERROR(Note("Write"));
    return BatchOutcome();
  }
  Status FinishRun(const std::string&, const RunTotals&) override { return Note("FinishRun"); }
  Status LockUser(const std::string&, const std::string&, bool check_only) override {
    return Note(check_only ? "CheckLock" : "LockUser");
  }
  Status UnlockUser(const std::string&, const std::string&) override {
    FERRY_RETURN_IF_ERROR(Note("UnlockUser"));
    return calls_->fail_unlock ? Status::Unavailable("busy") : Status::OK();
  }
  void ReleaseLocks(const std::set<std::string>& users, const std::string&) override {
    for (size_t i = 0; i < users.size(); ++i) calls_->names.push_back("ReleaseLock");
  }
  Status ReadCheckpoint(const std::string&, const std::string&, const std::string&,
                        std::optional<StoredCheckpoint>* out) override {
    *out = calls_->checkpoint;
    return Note("ReadCheckpoint");
  }
  Status ListUserCheckpoints(const std::string& user_id, size_t, std::vector<CheckpointRecord>* out,
                             bool* complete) override {
    out->clear();
    *complete = calls_->list_user_checkpoints;
    if (*complete && calls_->checkpoint) {
      out->push_back(CheckpointRecord{user_id, "tasks", "unit", calls_->checkpoint->position,
                                      calls_->checkpoint->run_id, ""});
    }
    return *complete ? Note("ListUserCheckpoints") : Status::OK();  // else as the default's
  }
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override {
    auto found = calls_->run_checkpoints.find(run_id);
    if (found != calls_->run_checkpoints.end()) {
      *out = found->second;
    } else {
      out->clear();
    }
    return Note("ListCheckpoints");
  }
  Status FindInterruptedRun(const std::string&, std::optional<RunRecord>*) override {
    return Note("FindInterruptedRun");
  }
  Status ListRuns(int, std::vector<RunRecord>*) override { return Note("ListRuns"); }
  Status ListLocks(std::vector<LockHolder>*) override { return Note("ListLocks"); }
  Status ForceUnlock(const std::string&, bool, std::vector<LockHolder>*) override {
    return Note("ForceUnlock");
  }
  Result<std::string> QuotedTable(const std::string& name) override { return "s.\"" + name + "\""; }
  Status SelectText(const std::string& sql,
                    std::vector<std::vector<std::optional<std::string>>>* rows) override {
    calls_->names.push_back(sql);
    *rows = calls_->rows;
    return Status::OK();
  }
  Status SchemaStatus(const std::vector<const TableDef*>&, std::vector<SchemaMigration>*) override {
    return Note("SchemaStatus");
  }
  Status SchemaUp(const std::vector<const TableDef*>&, std::vector<SchemaMigration>*) override {
    return Note("SchemaUp");
  }
  Status SchemaDown(const std::vector<const TableDef*>&, bool, SchemaMigration*) override {
    return Note("SchemaDown");
  }
  Status ApplyRollback(const std::string&, const std::vector<const TableDef*>&,
                       PreImageStream& images, const std::string&) override {
    size_t count = 0;
    FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage&) {
      ++count;
      return Status::OK();
    }));
    calls_->names.push_back("ApplyRollback of " + std::to_string(count));
    return Status::OK();
  }

 private:
  Status Note(const char* name) {
    calls_->names.push_back(name);
    return Status::OK();
  }
  Calls* calls_;
};

inline bool IsInternal(const Status& status, const std::string& text) {
  return status.code() == Status::Code::kInternal &&
         status.message().find(text) != std::string::npos;
}

inline TableDef Tasks() { return {"tasks", {{"id", ColumnType::kText, false}}, {"id"}, {}}; }

// The mapping's tasks: keyed by the ULID of each row's id-map row (RowsKeyedByUlid).
inline TableDef UlidTasks() {
  TableDef table{"tasks", {{"id", ColumnType::kUlid, false}}, {"id"}, {}};
  table.entity = "tasks";
  return table;
}

// Records what the loader appends and when it flushes, into the same call list as the backend.
class NoteSink final : public PreImageSink {
 public:
  explicit NoteSink(Calls* calls) : calls_(calls) {}
  Status Append(std::string_view record) override {
    records.emplace_back(record);
    calls_->names.push_back("Append");
    return Status::OK();
  }
  Status Flush() override {
    calls_->names.push_back("Flush");
    return Status::OK();
  }
  std::vector<std::string> records;

 private:
  Calls* calls_;
};

}  // namespace ferry::shared_loader_testing
