// What a recorded run loaded, read back from its arguments (ferry.runs.arguments, written by
// agent/run/run_arguments.h): the sources, mapping, user, origins, entities, conflict policy
// and --strict-unicode, as MigrateOptions, so that `ferry validate` reads the same records.
//
// The recorded target is not taken: a PostgreSQL one has its password removed. The caller
// gives the target it opened.
//
// Thread safety: pure.
#pragma once

#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "base/result.h"

namespace ferry {

// The words of a recorded argument text: split at spaces, a "quoted" word unquoted (a
// backslash inside it escapes the next character). InvalidArgument for an unterminated quote.
Result<std::vector<std::string>> SplitRecordedArguments(const std::string& text);

// The options of `ferry migrate` the text records. InvalidArgument when it is not a recorded
// migrate (another command, an unknown flag, a flag without its value).
Result<MigrateOptions> OptionsOfRecordedRun(const std::string& arguments);

}  // namespace ferry
