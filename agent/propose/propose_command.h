// `ferry inspect SOURCE... --propose-mapping FILE`: reads the sources as inspect does,
// groups their keys (key_groups.h) and writes a mapping (mapping_writer.h) that
// `ferry migrate --mapping FILE` takes as it is. The file is checked by loading it back
// before the command succeeds. Writes only FILE (never inside a source), mode 0600.
//
// Thread safety: runs on the calling thread.
#pragma once

#include <ostream>

#include "agent/inspect/inspect_scan.h"

namespace ferry {

// Exit code: 0 written; 3 written, but damage skipped; 1 a source unreadable; 2 usage.
int RunProposeMapping(const InspectOptions& options, const std::string& file, std::ostream& out,
                      std::ostream& err);

}  // namespace ferry
