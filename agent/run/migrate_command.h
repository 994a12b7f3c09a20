// `ferry migrate`: the flags, checked, turned into MigrateOptions and run.
#pragma once

#include <CLI/CLI.hpp>

namespace ferry {

// Registers `migrate` on the root command; when it runs, *exit_code gets the run's code.
void AddMigrateCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
