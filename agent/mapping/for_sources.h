// The mapping a command runs with: the file given with --mapping; else, when a source is a
// database (sqlite:, postgresql://), the mapping proposed from its catalog (from_catalog.h); else
// the bundled taskapp default. One rule for migrate and validate, so that validate reads a run's
// rows through the mapping the run wrote them with.
//
// Thread safety: reentrant.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "transformers/mapping.h"

namespace ferry {

// The proposed mapping's text for the database source `argument` ("sqlite:app.db",
// "postgresql://host/app"); its name is the file's stem or the database's name. Fails when
// the database cannot be copied or reached, or its catalog read.
Result<std::string> ProposeMappingForDatabase(const std::string& argument);

// The mapping for `mapping_file` (may be "") and the command's `sources` (as given).
Result<Mapping> LoadMappingFor(const std::string& mapping_file,
                               const std::vector<std::string>& sources);

}  // namespace ferry
