// CheckSomethingMatched: a run whose filters or mapping matched nothing is a configuration
// error (exit 2), not a run that "completed" with a table of zeros: --origin naming no
// origin of the sources (a typo), sources whose keys the mapping leaves all unmapped, and
// --include/--exclude leaving no entity the sources hold. The message lists what the sources
// do hold (origins, keys, entities), so that the typo shows.
//
// Checked over the whole run at the end of the scan: what the sources hold is known only once
// they are read. When it fails, nothing matched, so no row was written (docs/design.md,
// "Filters that match nothing").
//
// Thread safety: a free function; the origin listing reads the sources again on this thread.
#pragma once

#include "agent/run/migrate_options.h"
#include "agent/run/source_holdings.h"
#include "base/status.h"
#include "transformers/mapping.h"

namespace ferry {

Status CheckSomethingMatched(const MigrateOptions& options, const Mapping& mapping,
                             const SourceHoldings& held);

}  // namespace ferry
