// Automatic rollback (PRODUCT.md, "rejects"): a --continue-on-error run that stopped because its
// reject rate passed --max-reject-rate is undone with the pre-images of its backup, as
// `ferry rollback --run` would, and the report says so.
//
// Thread safety: called once per run, from the run's thread.
#pragma once

#include "agent/run/migrate_options.h"
#include "agent/run/run_report.h"
#include "base/status.h"
#include "loaders/loader.h"

namespace ferry {

// True when `status` is the stop of a --continue-on-error run by --max-reject-rate.
bool StoppedByRejectRate(const MigrateOptions& options, const Status& status);

// Rolls back `run` (recorded and finished as stopped) on `loader`, the run's own loader,
// which still holds the run's locks, and sets report->rolled_back. Without a backup
// (--no-backup) nothing can be undone: report->rolled_back says so and the batches written stay.
Status RollBackStoppedRun(const MigrateOptions& options, const RunInfo& run, Loader* loader,
                          RunReport* report);

}  // namespace ferry
