// RunArguments: the canonical text of what a `ferry migrate` run loads, recorded with the run
// (ferry.runs.arguments) and compared on the next start to find the run it would resume.
//
// Only what decides the rows is in it: the sources (kind and absolute path), the target
// (password removed), the mapping, the user, origins, entities, conflict policy and
// --strict-unicode. Batch size, progress, report and retry flags are not: changing them does
// not change the result, so a resume may change them.
//
// Thread safety: pure.
#pragma once

#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "extractors/extractor.h"
#include "loaders/loader.h"

namespace ferry {

std::string RunArguments(const MigrateOptions& options, const std::vector<SourceSpec>& sources,
                         const TargetSpec& target);

// A path made absolute, so that the same run started from another folder is the same run.
std::string AbsoluteArgumentPath(const std::string& path);

// A value quoted when it holds a space or a quote, so that two argument lists cannot read alike
// (SplitRecordedArguments, agent/validate/recorded_run.h, reads it back).
std::string QuotedArgument(const std::string& value);

}  // namespace ferry
