// Whether a table the application already has in a SQLite target can be adopted: taken as it
// is and loaded by the mapping without changing, duplicating or refusing any value
// (docs/schema-migrations.md, "What ferry adopts"). Decided from the catalog alone, before
// anything is written, the same way by `schema status`, the dry run, `schema up` and migrate.
//
// Thread safety: functions of one connection, used by its thread. Reads only.
#pragma once

#include <sqlite3.h>

#include "base/row.h"
#include "base/status.h"

namespace ferry::sqlite {

// OK when the existing table `table.name` can take the mapping's rows; otherwise
// InvalidArgument naming the table, the column or constraint, what the target has, what the
// mapping needs and what to do:
//   - a column of the mapping is missing;
//   - a column's declared type gives it another affinity than the one ferry writes (TEXT into
//     INTEGER turns "007" into 7), but a typeless (BLOB) column keeps any value as written;
//   - a column the mapping does not write is NOT NULL without a default (every insert fails);
//   - no PRIMARY KEY or full UNIQUE index on exactly the primary key, or (when
//     `require_unique_keys`) on one of the mapping's unique keys (without it the application's
//     rows would be duplicated; `ferry schema up` adds such a key as a recorded migration).
// REQUIRES: TableExists(db, table.name).
Status CheckAdoptable(sqlite3* db, const TableDef& table, bool require_unique_keys = true);

// The bits (TypeBit, loaders/schema_evolution.h) of the column types whose every value ferry
// writes reads back exactly from a column declared `declared_type` (by its affinity).
unsigned TypesKeptBy(const std::string& declared_type);

}  // namespace ferry::sqlite
