// Putting a run's pre-images back into a PostgreSQL target, in one transaction
// (LoaderBackend::ApplyRollback; the shared part is loaders/core/rollback.h).
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/core/pre_image.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// LoaderBackend::ApplyRollback on the session's schema. REQUIRES: the bookkeeping and `tables`
// exist.
Status ApplyRollback(Session* session, const std::string& run_id,
                     const std::vector<const TableDef*>& tables, PreImageStream& images,
                     const std::string& detail);

}  // namespace ferry::postgres
