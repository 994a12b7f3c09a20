// CheckOutputFile: an output file of `migrate` (--report, --rejects, the default reject file)
// is checked before the run opens its target, so that a missing or unwritable folder is a
// configuration error (exit 2) before anything is written, not a failure after rows were
// committed.
//
// Nothing is created to check: the file, when it exists, must be a regular file ferry may
// write; else its folder must exist and be writable (access(2)). A folder that goes away
// during the run is still caught when the file is written.
//
// Thread safety: a free function; reads the file system only.
#pragma once

#include <string>

#include "base/status.h"

namespace ferry {

// InvalidArgument naming `flag` and `path` when the file could not be written; OK for "".
Status CheckOutputFile(const std::string& flag, const std::string& path);

}  // namespace ferry
