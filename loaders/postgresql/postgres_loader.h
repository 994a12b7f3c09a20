// The PostgreSQL target: a Loader writing into the database a postgresql:// URL names.
//
// Connection: the URL goes to libpq unchanged, so the libpq environment variables, ~/.pgpass
// and sslmode work as in psql. No password ever appears in a Status, a log line or ferry.runs.
//
// Tables: the mapping's tables in the session's current_schema() (the first schema of the
// search_path), created when missing; ferry's own bookkeeping in the schema "ferry"
// (bookkeeping.h). Writes: one transaction per batch (batch_writer.h). Dry-run connects and
// reads, and creates or writes nothing: no schema, no table, no row.
//
// Errors: see pg_error.h (Unavailable is transient). After an Unavailable error the loader
// drops its connection and opens a new one on the next call.
//
// Thread safety: a loader is used by one thread at a time (one connection per loader).
#pragma once

#include <memory>

#include "loaders/loader.h"

namespace ferry {

// The loader for spec.url. Never null; connection problems are reported by Check().
std::unique_ptr<Loader> MakePostgresLoader(const TargetSpec& spec);

}  // namespace ferry
