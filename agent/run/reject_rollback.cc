#include "agent/run/reject_rollback.h"

#include <sstream>

#include "agent/rollback/run_rollback.h"
#include "backup/backup_store.h"
#include "loaders/core/rollback.h"

namespace ferry {

bool StoppedByRejectRate(const MigrateOptions& options, const Status& status) {
  return options.continue_on_error && !options.dry_run && status.IsRejected() &&
         status.message().find("more than --max-reject-rate") != std::string::npos;
}

Status RollBackStoppedRun(const MigrateOptions& options, const RunInfo& run, Loader* loader,
                          RunReport* report) {
  if (options.no_backup) {
    report->rolled_back = "no: made with --no-backup, so the batches written stay";
    return Status::OK();
  }
  RollbackOptions rollback;
  rollback.backup_dir = options.backup_dir;
  std::string dir = options.backup_dir.empty() ? backup::DefaultBackupDir() : options.backup_dir;
  RunRecord record;
  record.run_id = run.run_id;
  record.status = "stopped";
  record.arguments = run.arguments;
  std::ostringstream said;
  RollbackOutcome outcome;
  Status status = RollBackRun(rollback, dir, record, loader, said, &outcome);
  report->rolled_back = status.ok() ? "yes: " + DescribeRollback(outcome)
                                    : "no: " + status.message() + "; ferry rollback --run " +
                                          run.run_id + " undoes it";
  return status;
}

}  // namespace ferry
