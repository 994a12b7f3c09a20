// The man page, ferry(1), in roff (man macros), made from the CLI's own definitions
// (agent/help/cli_model.h): every command and subcommand with its description, usage, options
// and exit codes. `ferry man` prints it; `man -l` renders it.
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/help/cli_model.h"

namespace ferry {

// The page for `root` (the model of the whole CLI), naming `version`.
std::string RenderManPage(const CommandModel& root, std::string_view version);

// `text` as roff body text: backslashes escaped, a line that would start with '.' or '\''
// (a roff request) made plain.
std::string RoffText(std::string_view text);

}  // namespace ferry
