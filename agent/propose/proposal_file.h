// The one writer of `ferry inspect SOURCE --propose-mapping FILE`, for stores and databases
// alike: FILE "-" is standard output; any other FILE is written whole or not at all
// (agent/export/atomic_file.h), mode 0600, and never over an existing file: InvalidArgument
// naming it (exit 2), the file left as it was.
//
// Thread safety: runs on the calling thread.
#pragma once

#include <ostream>
#include <string>

#include "base/status.h"

namespace ferry {

// OK when `file` may be written: "-", or a name not taken. Checked before the sources are
// read, so that a long scan is not wasted on a refusal; the write checks again.
Status CheckProposalFile(const std::string& file);

// Writes `yaml` to `file` ("-": to `out`).
Status WriteProposalFile(const std::string& file, const std::string& yaml, std::ostream& out);

}  // namespace ferry
