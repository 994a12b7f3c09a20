// A mapping proposed from a database's catalog (docs/database-sources.md): `ferry inspect
// sqlite:app.db --propose-mapping FILE` writes it, and `migrate` takes it as is.
//
// Each table with a one-column primary key becomes an entity of the same name, in load order
// (parents first): its key becomes a ULID column of the same name whose time is the row's
// creation column (else the time of the run), the old key is kept as `legacy_id` (unique),
// every other column is copied with a type from its declared type (SQLite's affinity rules),
// and each one-column foreign key to a proposed table (the table itself included: a
// self-reference, loaded in two passes) becomes a ULID reference that rejects an orphan. What
// the mapping format cannot say yet is written as a comment and left as the old value: a
// reference to a table that is not proposed, a table with a composite or no primary key.
//
// Pure function, thread-safe.
#pragma once

#include <string>

#include "extractors/sqlite/catalog.h"

namespace ferry {

// The mapping text (YAML, version 1) named `name` for `catalog`.
std::string ProposeMappingFromCatalog(const sqlite_source::Catalog& catalog,
                                      const std::string& name);

}  // namespace ferry
