// CheckUserUnits: refuses, before anything is written, a user id that would put several
// users' stores under one user (docs/design.md, "Users and units").
//
// From what the extractors know of their units after Open() (Extractor::Units), without
// reading a record:
//   - no --user-id and no --user-id-from: refused (every unit needs a user);
//   - --user-id over more than one separate store (the files of a folder of dumps, several
//     dumps on the command line, the profiles of a browser's user-data folder, or a mix):
//     refused, naming them and pointing to --user-id-from filename or key:NAME. Record files
//     (json, ndjson) are parts of one export, not stores: any number load under one --user-id;
//   - --user-id-from filename over a unit with no file name per user (a record file, a
//     browser profile), or two units whose file names name the same user: refused.
// --user-id-from key:NAME is known only as each unit is read (agent/run/unit_user_id.h).
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agent/run/migrate_options.h"
#include "base/status.h"
#include "extractors/extractor.h"

namespace ferry {

// `sources`: each source argument as given, with its units.
Status CheckUserUnits(const MigrateOptions& options,
                      const std::vector<std::pair<std::string, SourceUnits>>& sources);

}  // namespace ferry
