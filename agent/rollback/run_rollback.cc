#include "agent/rollback/run_rollback.h"

#include <vector>

#include "agent/mapping/loader.h"
#include "agent/rekey/rekey_rollback.h"
#include "agent/rollback/run_pre_images.h"
#include "agent/validate/recorded_run.h"
#include "backup/backup_store.h"
#include "loaders/core/rollback.h"

namespace ferry {

namespace {

// Marks the run's archives rolled back, so that `backup prune` may remove them.
void MarkArchives(const std::string& dir, const std::string& run_id,
                  const std::vector<std::string>& ids, std::ostream& out) {
  for (const std::string& id : ids) {
    Status marked = backup::MarkRolledBack(dir, id);
    if (!marked.ok()) {
      out << "run " << run_id << ": backup " << id << " not marked rolled back ("
          << marked.message() << "); `backup prune` keeps it\n";
    }
  }
}

// A killed session's archive may lack the records of its last batches that only inserted
// (loaders/core/pre_image_capture.h); the rollback derives them from the id map, where a later
// run that changed those rows again has put its own id. So such a run is rolled back only
// once every run after it is. `runs` newest first.
Status CheckNoLaterRun(const RunRecord& run, const std::vector<RunRecord>& runs) {
  for (const RunRecord& later : runs) {
    if (later.run_id == run.run_id) return Status::OK();
    if (later.status != kRolledBackStatus) {
      return Status::InvalidArgument("run " + run.run_id +
                                     " has a backup a killed session left unfinished, and run " +
                                     later.run_id + " came after it: roll back run " +
                                     later.run_id + " first (--before rolls back newest first)");
    }
  }
  return Status::OK();
}

// Whether `run` wrote nothing to the target, so that it has no archive by design: a session
// that wrote nothing records so (Loader::RecordArchive(""), action kNoBackupAction), and no
// session of it recorded an archive (kBackupAction) or left a checkpoint (every batch and
// mark writes one). A run made before ferry made backups, or with --no-backup, recorded
// neither: it is not taken for one.
Result<bool> WroteNothing(const RunRecord& run, Loader* loader) {
  if (!run.archive.empty()) return false;
  std::vector<std::string> said;
  FERRY_RETURN_IF_ERROR(loader->ListAuditDetails(run.run_id, kBackupAction, &said));
  if (!said.empty()) return false;
  FERRY_RETURN_IF_ERROR(loader->ListAuditDetails(run.run_id, kNoBackupAction, &said));
  if (said.empty()) return false;
  std::vector<CheckpointRecord> checkpoints;
  FERRY_RETURN_IF_ERROR(loader->ListCheckpoints(run.run_id, &checkpoints));
  return checkpoints.empty();
}

// The runs begun after `run` and not rolled back (`runs` newest first): the loader refuses
// when one of them loaded a user of `run` again (CheckNoLaterLoad, loaders/core/rollback.h).
std::vector<std::string> LaterRuns(const RunRecord& run, const std::vector<RunRecord>& runs) {
  std::vector<std::string> later;
  for (const RunRecord& other : runs) {
    if (other.run_id == run.run_id) break;
    if (other.status != kRolledBackStatus && !IsRekeyRun(other)) later.push_back(other.run_id);
  }
  return later;
}

}  // namespace

Status RollBackRun(const RollbackOptions& options, const std::string& dir, const RunRecord& run,
                   Loader* loader, std::ostream& out, RollbackOutcome* done) {
  RunPreImages pre_images;
  if (run.status == kRolledBackStatus) {
    if (!options.dry_run && ReadRunPreImages(dir, run.run_id, options.key, &pre_images).ok()) {
      MarkArchives(dir, run.run_id, pre_images.archives, out);
    }
    out << "run " << run.run_id << " is rolled back already: nothing to do\n";
    return Status::OK();
  }
  if (run.status == "running") {
    return Status::Locked("the run is still running (host " + run.host + ", pid " +
                          std::to_string(run.pid) + "); stop it first");
  }
  if (IsRekeyRun(run)) {  // no archive: everything a rekey writes is in columns it added
    std::vector<RunRecord> runs;
    FERRY_RETURN_IF_ERROR(loader->ListRuns(0, &runs));
    return RollBackRekeyRun(options.target, run, runs, options.dry_run, out);
  }
  FERRY_ASSIGN_OR_RETURN(MigrateOptions recorded, OptionsOfRecordedRun(run.arguments));
  FERRY_ASSIGN_OR_RETURN(Mapping mapping, recorded.mapping_file.empty()
                                              ? LoadDefaultMapping()
                                              : LoadMappingFile(recorded.mapping_file));
  Status read = ReadRunPreImages(dir, run.run_id, options.key, &pre_images);
  if (read.IsNotFound()) {
    FERRY_ASSIGN_OR_RETURN(bool nothing, WroteNothing(run, loader));
    if (!nothing) return read;
    // Nothing to put back: marked rolled back all the same, so that it is not in the way.
    out << "run " << run.run_id << " made no backup: it wrote nothing to the target\n";
    pre_images = NoRunPreImages();
  } else {
    FERRY_RETURN_IF_ERROR(read);
  }
  for (const std::string& id : pre_images.unfinished) {
    out << "run " << run.run_id << ": backup " << id
        << " was left unfinished by a killed session: read up to its last complete chunk; what "
           "the session inserted after it is found by the run's id in the id map\n";
  }
  RollbackRequest request;
  request.run_id = run.run_id;
  std::vector<RunRecord> runs;
  FERRY_RETURN_IF_ERROR(loader->ListRuns(0, &runs));
  if (!pre_images.unfinished.empty()) {
    FERRY_RETURN_IF_ERROR(CheckNoLaterRun(run, runs));
    request.derive_lost = true;
  }
  request.later_runs = LaterRuns(run, runs);
  for (const EntityMapping& entity : mapping.entities) request.tables.push_back(&entity.table);
  request.images = pre_images.images.get();
  request.dry_run = options.dry_run;
  RollbackOutcome outcome;
  FERRY_RETURN_IF_ERROR(loader->RollBack(request, &outcome));
  if (done != nullptr) *done = outcome;
  if (!options.dry_run) MarkArchives(dir, run.run_id, pre_images.archives, out);
  out << "run " << run.run_id << (options.dry_run ? ": would roll back: " : ": rolled back: ")
      << DescribeRollback(outcome) << "\n";
  return Status::OK();
}

}  // namespace ferry
