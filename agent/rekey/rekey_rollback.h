// Undoing a rekey run (`ferry rollback --run ID`, docs/rekey.md "Undoing a rekey"): drops the
// columns the run added (each recorded in the audit log in the transaction that added it,
// kRekeyColumnAction), deletes the id-map rows it wrote (hybrid), and marks it rolled back, in
// one transaction. A rekey run that resumed interrupted or failed runs with the same arguments
// is undone with them: their columns are its columns.
//
// Thread safety: a free function; uses its own session on the target.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

// True for a run `ferry rekey` recorded (its arguments begin with "rekey ").
bool IsRekeyRun(const RunRecord& run);

// Rolls back rekey run `run` of the target of `target_flag` (--target; empty: DATABASE_URL),
// `runs` being the target's run history. With `dry_run`, only says what it would do.
// REQUIRES: IsRekeyRun(run); run is not running.
Status RollBackRekeyRun(const std::string& target_flag, const RunRecord& run,
                        const std::vector<RunRecord>& runs, bool dry_run, std::ostream& out);

}  // namespace ferry
