// Rolling back one recorded run (`ferry rollback`): its mapping from its recorded arguments,
// its pre-images from its archives (agent/rollback/run_pre_images.h), then Loader::RollBack.
//
// Thread safety: one call at a time per loader.
#pragma once

#include <ostream>
#include <string>

#include "agent/rollback/rollback_command.h"
#include "base/status.h"
#include "loaders/loader.h"

namespace ferry {

// Rolls `run` back on `loader` (past Check(options.dry_run)) with the archives in `dir`, and
// marks them rolled back; prints one line on `out`. A run already rolled back is OK (a rerun
// after a kill that came after the commit). Refuses a run still running. *outcome (may be null)
// gets what it did.
Status RollBackRun(const RollbackOptions& options, const std::string& dir, const RunRecord& run,
                   Loader* loader, std::ostream& out, RollbackOutcome* outcome = nullptr);

}  // namespace ferry
