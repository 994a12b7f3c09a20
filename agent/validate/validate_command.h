// `ferry validate`: checks that a run's rows are in the target as the run writes them. It reads
// the run's sources again (from its recorded arguments, agent/validate/recorded_run.h) and
// dry-runs them against the target, writing nothing (agent/validate/validation.h); then looks
// for references naming no parent row (agent/validate/dangling_check.h).
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace ferry {

struct ValidateOptions {
  std::string target;  // --target; empty: DATABASE_URL, else sqlite:ferry.db
  std::string run_id;  // --run; empty: the newest completed run
};

// Validates; prints the report on `out` and failures on `err`. Returns the exit code: 0 valid,
// 3 differences, 1 failed, 2 usage (no such run), 4 a run holds a user's lock.
int RunValidate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

// Registers `validate` on the root command; when it runs, *exit_code gets its code.
void AddValidateCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
