// How many workers a run not told --jobs uses (the report says how many it chose).
#pragma once

#include <cstdint>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

// One for SQLite (one writer) and for a source of one unit; for PostgreSQL, one per core, at
// most one per unit (`units`, when the sources tell; 0 when they do not) and 8, and never more
// than the server has connections to spare (less one for others). `lock_session`: a pool of
// several workers would open one more connection beside theirs, the one holding the users'
// locks they join (ShareUserLocks): it is counted too. Reads the server's room through `loader`.
Result<int> DefaultJobs(const TargetSpec& target, uint64_t units, Loader* loader,
                        bool lock_session);

}  // namespace ferry
