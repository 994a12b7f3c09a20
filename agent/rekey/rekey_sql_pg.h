// RekeySql (rekey_sql.h) for a PostgreSQL target: part of the PostgreSQL module
// (loaders/postgresql_module.h), reached through OpenRekeySql.
//
// Thread safety: one thread at a time per RekeySql.
#pragma once

#include <memory>

#include "agent/rekey/rekey_sql.h"

namespace ferry {

// Connects to target.url; each session in UTC and ISO dates, read-only when asked.
Result<std::unique_ptr<RekeySql>> OpenPostgresRekeySql(const TargetSpec& target,
                                                       const BookkeepingSql& bookkeeping,
                                                       bool read_only);

}  // namespace ferry
