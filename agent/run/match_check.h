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

#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "agent/run/source_holdings.h"
#include "base/status.h"
#include "transformers/mapping.h"

namespace ferry {

Status CheckSomethingMatched(const MigrateOptions& options, const Mapping& mapping,
                             const SourceHoldings& held);

// "they hold "http://a", "http://b"": the origins `sources` hold, read again without --origin,
// for the message of an --origin that matched nothing (here and in `export`).
std::string OriginsHeld(const std::vector<std::string>& sources);

}  // namespace ferry
