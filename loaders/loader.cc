#include "loaders/loader.h"

#include <string>

namespace ferry {

const char* ConflictPolicyName(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::kSkip:
      return "skip";
    case ConflictPolicy::kOverwrite:
      return "overwrite";
    case ConflictPolicy::kMerge:
      return "merge";
  }
  return "skip";
}

std::optional<ConflictPolicy> ParseConflictPolicy(const std::string& name) {
  for (ConflictPolicy policy :
       {ConflictPolicy::kSkip, ConflictPolicy::kOverwrite, ConflictPolicy::kMerge}) {
    if (name == ConflictPolicyName(policy)) {
      return policy;
    }
  }
  return std::nullopt;
}

namespace {

Status Unsupported(const char* method) {
  return Status::Internal(std::string(method) + " is not supported by this target");
}

}  // namespace

Status Loader::CheckCell(const ColumnDef&, const Cell&) const { return Status::OK(); }
Result<std::vector<BatchOutcome>> Loader::WriteTogether(const std::vector<WriteBatch>&) {
  return Unsupported("WriteTogether");
}
Status Loader::RecordArchive(const std::string&) { return Unsupported("RecordArchive"); }
Status Loader::LockUser(const std::string&) { return Unsupported("LockUser"); }
Status Loader::UnlockUser(const std::string&) { return Unsupported("UnlockUser"); }
Status Loader::JoinUser(const std::string&) { return Unsupported("JoinUser"); }
Status Loader::LeaveUser(const std::string&) { return Unsupported("LeaveUser"); }
Status Loader::ReadCheckpoint(const std::string&, const std::string&, const std::string&,
                              std::optional<StoredCheckpoint>*) {
  return Unsupported("ReadCheckpoint");
}
Status Loader::ReadUnitRejects(const std::string&, const std::string&,
                               std::optional<StoredUnitRejects>* out) {
  out->reset();
  return Status::OK();
}
Status Loader::ReadUnitMarks(const std::vector<std::string>&, size_t,
                             std::vector<StoredUnitMark>* out, bool* complete) {
  out->clear();
  *complete = false;
  return Status::OK();
}
Status Loader::ListCheckpoints(const std::string&, std::vector<CheckpointRecord>*) {
  return Unsupported("ListCheckpoints");
}
bool EndedWithError(const RunRecord& run) {
  return run.status != "running" && run.status != "completed" &&
         run.status != "completed_with_rejects";
}

Status Loader::FindInterruptedRun(const std::string&, std::optional<RunRecord>*) {
  return Unsupported("FindInterruptedRun");
}
Status Loader::ListRuns(int, std::vector<RunRecord>*) { return Unsupported("ListRuns"); }
Status Loader::ListAuditDetails(const std::string&, const std::string&, std::vector<std::string>*) {
  return Unsupported("ListAuditDetails");
}
Status Loader::ListLocks(std::vector<LockHolder>*) { return Unsupported("ListLocks"); }
Status Loader::ForceUnlock(const std::string&, bool, std::vector<LockHolder>*) {
  return Unsupported("ForceUnlock");
}
Status Loader::FindDanglingReferences(const TableDef&, const std::string&, const TableDef&,
                                      const std::string&, size_t, std::vector<DanglingReference>*,
                                      int64_t*) {
  return Unsupported("FindDanglingReferences");
}
Status Loader::ListKeys(const TableDef&, const std::string&, const std::string&,
                        const std::vector<std::string>&, size_t,
                        std::vector<std::vector<std::string>>*) {
  return Unsupported("ListKeys");
}
Status Loader::SchemaStatus(const std::vector<const TableDef*>&, std::vector<SchemaMigration>*) {
  return Unsupported("SchemaStatus");
}
Status Loader::SchemaUp(const std::vector<const TableDef*>&, std::vector<SchemaMigration>*) {
  return Unsupported("SchemaUp");
}
Status Loader::SchemaDown(const std::vector<const TableDef*>&, bool, SchemaMigration*) {
  return Unsupported("SchemaDown");
}
Status Loader::RollBack(const RollbackRequest&, RollbackOutcome*) {
  return Unsupported("RollBack");
}

}  // namespace ferry
