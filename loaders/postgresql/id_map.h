// Reading ferry.id_map: what the target knows of a batch of identities, in one statement.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// For each legacy id, what ferry.id_map holds for (user_id, the session's schema, entity,
// legacy id), or nullopt;
// `out` is resized to legacy_ids.size(). One round trip whatever the number of ids.
// REQUIRES: ferry.id_map exists.
Status LookupIdentities(Session* session, const std::string& entity, const std::string& user_id,
                        const std::vector<std::string>& legacy_ids,
                        std::vector<std::optional<KnownIdentity>>* out);

}  // namespace ferry::postgres
