// ferry.unit_rejects (bookkeeping 5): the rejects of a unit loaded whole but for them, kept
// beside its mark so that a rerun gives them back without reading the unit
// (WriteBatch::unit_rejects, agent/run/unit_rejects.h).
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "base/status.h"
#include "loaders/postgresql/connection.h"
#include "loaders/run_records.h"

namespace ferry::postgres {

// Replaces what is kept for (user, `schema`, unit) with `body`, for the mark at `position` of
// run `run_id`: one statement in `txn`, the transaction that writes that mark (BatchWriter).
void KeepUnitRejects(pqxx::work& txn, const std::string& schema, const std::string& user_id,
                     const std::string& unit, int64_t position, const std::string& body,
                     const std::string& run_id);

// What is kept for (user, session schema, unit), or nullopt.
Status ReadUnitRejects(Session* session, const std::string& user_id, const std::string& unit,
                       std::optional<StoredUnitRejects>* out);

}  // namespace ferry::postgres
