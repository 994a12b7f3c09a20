// RunMigration: `ferry migrate` from checked options to a finished report.
//
// Bind (resolve sources, target, mapping; fail before any work with exit 2 on bad
// configuration), init (open extractors and the loader, ensure the schema, record the run),
// then scan unit by unit. Never throws; failures end up in the report and its exit code.
#pragma once

#include "agent/run/migrate_options.h"
#include "agent/run/run_report.h"

namespace ferry {

// Runs the migration; the report's exit_code is what the process should return.
RunReport RunMigration(const MigrateOptions& options);

}  // namespace ferry
