// `ferry validate`: checks that a run's rows are in the target as the run writes them. It reads
// the run's sources again (from its recorded arguments, agent/validate/recorded_run.h; from the
// run's archive when one has gone or changed since, agent/validate/archived_sources.h) and
// dry-runs them against the target, writing nothing (agent/validate/validation.h); then counts
// the target's rows of the run's users and checks their ULIDs (agent/validate/row_scan.h), and
// looks for references naming no parent row (agent/validate/dangling_check.h).
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "backup/key_source.h"

namespace ferry {

struct ValidateOptions {
  std::string target;  // --target; empty: DATABASE_URL, else sqlite:ferry.db
  std::string run_id;  // --run; empty: the newest completed run
  std::string report;  // --report FILE: the validation as JSON; empty: none
  // Where the run's archive is read from when a source has gone or changed since the run
  // (agent/validate/archived_sources.h): --backup-dir, --key-file, --passphrase-file.
  std::string backup_dir;
  backup::KeyOptions key;
};

// Validates; prints the report on `out` and failures on `err`. Returns the exit code: 0 valid,
// 3 differences, 1 failed, 2 usage (no such run), 4 a run holds a user's lock.
int RunValidate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

// Registers `validate` on the root command; when it runs, *exit_code gets its code.
void AddValidateCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
