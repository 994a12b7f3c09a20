// The plain indexes of a mapping (entities.<e>.indexes, docs/mapping.md): each a list of the
// entity's columns, in index order, and an optional name. `schema up` creates them with the
// table, or adds each one a recorded table lacks as a migration of its own
// (docs/schema-migrations.md).
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "agent/mapping/document.h"
#include "base/status.h"
#include "transformers/mapping.h"

namespace ferry {

// Fills entity->table.indexes from the list at `pointer` (it passed CheckMappingStructure):
// each column one of the entity's, none twice in an index, no two indexes on the same columns,
// a given name a valid identifier that does not start with `ferry_` (ferry's own).
// REQUIRES: entity->table.columns is built.
Status BuildIndexes(const MappingDocument& doc, const std::string& pointer, EntityMapping* entity);

// Index names share one namespace with tables in both targets (per schema on PostgreSQL, per
// file on SQLite): fails when a given index name is another index's or a table's (compared
// without ASCII case, as SQLite does).
Status CheckIndexNames(const MappingDocument& doc, const Mapping& mapping);

}  // namespace ferry
