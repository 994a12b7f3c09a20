// The marks of many units at once (Loader::ReadUnitMarks): one statement over ferry_checkpoints
// and ferry_unit_rejects for a list of unit names, as on PostgreSQL
// (loaders/postgresql/unit_marks.h), so that both targets decide a rerun's units alike.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/run_records.h"

namespace ferry::sqlite {

// The most unit names one statement takes (each a bound value; SQLite allows 32766).
inline constexpr size_t kMaxMarkUnits = 4096;

// Appends to *out the mark of every (user, unit) whose unit is one of `units` (at most
// kMaxMarkUnits), with what it kept (a body longer than `max_kept_bytes` left out). Nothing
// when the tables are not there (a target no run wrote: no marks).
Status ReadUnitMarks(sqlite3* db, const std::vector<std::string>& units, size_t max_kept_bytes,
                     std::vector<StoredUnitMark>* out);

}  // namespace ferry::sqlite
