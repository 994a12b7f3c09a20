// ProbeUserFresh: one read per unit, once the user's lock is held, telling whether the target
// holds anything of the unit's user (Loader::ProbeUser): no id-map row under any entity of
// the mapping, and no row in any selected entity's table whose key leads with the user
// column. When it holds nothing, what it holds of the user until the unit ends is what this
// unit writes (the lock keeps every other run out), so the unit spares the per-entity reads:
// the id-map lookup of each batch (every record is new, and within a unit and entity a legacy
// id is loaded once) and each entity's probe of its table (agent/run/written_keys.h). A user
// the target holds something of is read as before, entity by entity; an entity pass whose first
// batch is full then asks the same of its own entity's id map alone (ProbeUser with that entity
// and no table: a database's table, whose user the tables before it made known), and when it
// holds nothing spares the batches' lookups of their own legacy ids
// (IdentityContext::entity_fresh).
//
// Thread safety: pure but for the loader's read.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

// Sets *fresh (see above). `selected` tells which entities the run loads.
Status ProbeUserFresh(const Mapping& mapping,
                      const std::function<bool(const std::string&)>& selected, Loader* loader,
                      const std::string& user_id, bool* fresh);

}  // namespace ferry
