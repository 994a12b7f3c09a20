// FindOrphans: the rows of a child table whose foreign key names no row of its parent, for
// `ferry inspect` on a database (db_inspect.h). A reference with a NULL column is no
// reference (SQL's MATCH SIMPLE), so never an orphan.
//
// Thread safety: uses `db` from the calling thread.
#pragma once

#include "agent/inspect/db_inspect.h"
#include "extractors/firefox/sqlite_db.h"
#include "extractors/sqlite/catalog.h"

namespace ferry {

// The facts of `key` (declared on `table`): its orphans counted, the first kOrphanExamples
// listed in the child's key order. A parent table missing from `catalog` makes every
// reference an orphan (parent_missing).
Result<DbForeignKeyFacts> FindOrphans(const firefox::CopiedDatabase& db,
                                      const sqlite_source::Catalog& catalog,
                                      const sqlite_source::CatalogTable& table,
                                      const sqlite_source::ForeignKey& key);

}  // namespace ferry
