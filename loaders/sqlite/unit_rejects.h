// ferry_unit_rejects (bookkeeping 4): the rejects of a unit loaded whole but for them, kept
// beside its mark so that a rerun gives them back without reading the unit
// (WriteBatch::unit_rejects, agent/run/unit_rejects.h).
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "loaders/run_records.h"

namespace ferry::sqlite {

// Replaces what is kept for (user, unit) with `body`, for the mark at `position` of run
// `run_id`. One statement, in the transaction that writes that mark (BatchWriter).
Status KeepUnitRejects(sqlite3* db, const std::string& user_id, const std::string& unit,
                       int64_t position, const std::string& body, const std::string& run_id);

// What is kept for (user, unit), or nullopt (also when the table is not there).
Status ReadUnitRejects(sqlite3* db, const std::string& user_id, const std::string& unit,
                       std::optional<StoredUnitRejects>* out);

}  // namespace ferry::sqlite
