// Putting a run's pre-images back into a SQLite target, in one transaction
// (LoaderBackend::ApplyRollback; the shared part is loaders/core/rollback.h).
//
// Thread safety: used by the thread that owns the connection.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/core/pre_image.h"
#include "loaders/loader.h"

namespace ferry::sqlite {

// LoaderBackend::ApplyRollback on `db`. REQUIRES: the bookkeeping and `tables` exist.
Status ApplyRollback(sqlite3* db, const std::string& run_id,
                     const std::vector<const TableDef*>& tables, PreImageStream& images,
                     const std::string& detail);

}  // namespace ferry::sqlite
