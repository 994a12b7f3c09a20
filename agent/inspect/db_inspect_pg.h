// InspectPostgres: InspectDatabase (db_inspect.h) for a PostgreSQL source: the same report,
// read in the source's read-only snapshot (extractors/postgresql/pg_snapshot.h). Keys are
// streamed through a cursor to be classified; orphans are counted by the server and only the
// first kOrphanExamples fetched, so nothing is held per row.
//
// Thread safety: a free function.
#pragma once

#include "agent/inspect/db_inspect.h"

namespace ferry {

// The report for the database at spec.path (a postgresql:// URL); its source is shown with
// the password removed. Fails naming the database when it cannot be reached or read.
Result<DbInspectReport> InspectPostgres(const SourceSpec& spec);

}  // namespace ferry
