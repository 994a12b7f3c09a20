// Shell completion scripts for ferry, made from the CLI's own definitions
// (agent/help/cli_model.h): commands and subcommands, their options, the fixed values an option
// takes (--conflict skip|overwrite|merge) and file names for every other value and argument.
// `ferry completion bash|zsh|fish` prints one.
//
// bash: a `_ferry` function registered with `complete -F`; it finds the command path in
// COMP_WORDS (words naming a subcommand of the path so far, skipping option values) and
// completes from that command's lists. zsh: the same function through bashcompinit. fish:
// `complete` lines conditioned on the same command path.
//
// Pure functions, thread-safe.
#pragma once

#include <string>

#include "agent/help/cli_model.h"
#include "base/result.h"

namespace ferry {

// The script for `shell` ("bash", "zsh" or "fish"); InvalidArgument for any other.
Result<std::string> RenderCompletion(const CommandModel& root, const std::string& shell);

}  // namespace ferry
