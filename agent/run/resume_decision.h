// Whether a migrate run resumes an interrupted one (README "Resume"): the run with the same
// arguments that never finished, when its sources are still those it read.
//
// Thread safety: called once per run, from the run's thread.
#pragma once

#include "agent/run/migrate_options.h"
#include "agent/run/run_report.h"
#include "base/status.h"
#include "loaders/loader.h"

namespace ferry {

// Resumes the interrupted run with run->arguments, if any: its id becomes this run's
// (report->run_id, report->resumed_from) and what its checkpoints hold is counted in
// report->resumed_committed. --restart records it as superseded instead. InvalidArgument when
// the sources changed since (run->fingerprint differs), unless --restart.
Status DecideResume(const MigrateOptions& options, RunInfo* run, Loader* loader, RunReport* report);

}  // namespace ferry
