// The exit codes each command lists at the end of its --help: the same text as docs/design.md
// ("Exit codes"), so that a script can rely on either (tests/e2e/help_test.cc holds them equal).
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

namespace ferry {

// Ends `command`'s --help with `note` (when not empty), then "Exit codes: " and `codes`.
// Replaces a footer the command inherited from its parent.
void SetExitCodesHelp(CLI::App* command, std::string_view codes, std::string_view note = {});

}  // namespace ferry
