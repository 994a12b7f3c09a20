// The `hybrid` strategy's step beyond `add` (docs/rekey.md): the mapping old key -> ULID of
// every row of the plan, in ferry's id map (ferry.id_map / ferry_id_map) under the user
// kRekeyLockUser and the entity named as the table, so that an application (or a later
// `migrate`) can translate an old key it still holds. Resumable like the fill: a row already in
// the map is left as it is (ON CONFLICT DO NOTHING), in keyset batches of the table's key.
//
// Thread safety: one thread at a time per RekeySql.
#pragma once

#include <cstdint>
#include <string>

#include "agent/rekey/rekey_plan.h"
#include "agent/rekey/rekey_sql.h"
#include "agent/rekey/ulid_fill.h"
#include "base/result.h"

namespace ferry {

// The id map's user id for the rows rekey writes.
inline constexpr const char* kRekeyIdMapUser = "(rekey)";

// Writes the id map rows of `table` for run `run_id`. REQUIRES: FillKeyUlids finished.
Status FillIdMap(RekeySql& sql, const RekeyTable& table, const std::string& run_id, int batch_size,
                 int64_t* batches);

// Adds to out->problems each table whose rows and id map rows differ (a row missing from the
// map, or mapped to another ULID), naming the first rows in out->findings. With `strays` (ferry
// validate: the counts must match) also each id-map row whose old key names no row any more; a
// rekey run leaves those alone (rows the application deleted keep translating).
Status VerifyIdMap(RekeySql& sql, const RekeyPlan& plan, RekeyVerification* out,
                   bool strays = false);

}  // namespace ferry
