// The one check that a file ferry writes is not a source, nor inside one: ferry never writes
// to a source (docs/security.md). Links are resolved on both sides, so a link to the store
// (or a store reached through one) is caught too.
//
// Thread safety: free function, safe to call from any thread.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "extractors/extractor.h"

namespace ferry {

// InvalidArgument naming `what` ("--out", "--report", ...) when `out_file` is one of the
// sources of `specs` or inside one, resolving links; OK otherwise, or when either cannot be
// resolved (the file's folder is then checked when it is created).
Status CheckOutsideSources(const std::string& what, const std::string& out_file,
                           const std::vector<SourceSpec>& specs);

}  // namespace ferry
