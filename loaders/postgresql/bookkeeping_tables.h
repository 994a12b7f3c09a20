// The names of ferry's bookkeeping tables in a PostgreSQL target (bookkeeping.h describes
// them), apart from bookkeeping.h so that code outside the PostgreSQL module
// (loaders/bookkeeping_sql.cc, in the binary) can name them without libpqxx's headers
// (loaders/postgresql_module.h).
//
// Constants only, thread-safe.
#pragma once

namespace ferry::postgres {

constexpr const char* kBookkeepingSchema = "ferry";

// The tables statements outside this folder name (loaders/bookkeeping_sql.h), and the columns
// an audit-log row is written with, in this order (Audit).
constexpr const char* kRunsTable = "ferry.runs";
constexpr const char* kIdMapTable = "ferry.id_map";
constexpr const char* kAuditLogTable = "ferry.audit_log";
constexpr const char* kAuditLogColumns = "run_id, action, detail, os_user, host";

}  // namespace ferry::postgres
