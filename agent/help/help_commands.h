// `ferry man` (also `ferry --help-man`) and `ferry completion bash|zsh|fish`: the man page and
// the shell completions, made from the CLI definitions of every command when they run
// (agent/help/cli_model.h), so they always match what ferry parses.
#pragma once

#include <CLI/CLI.hpp>

namespace ferry {

// Registers both commands on `root`; each prints to stdout and sets *exit_code (0, or 2 for a
// shell it has no completion for).
void AddHelpCommands(CLI::App& root, int* exit_code);

}  // namespace ferry
