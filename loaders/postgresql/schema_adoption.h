// Whether a table the application already has in a PostgreSQL target can be adopted: taken as
// it is and loaded by the mapping without changing, duplicating or refusing any value
// (docs/schema-migrations.md, "What ferry adopts"). Decided from the catalog alone, before
// anything is written, the same way by `schema status`, the dry run, `schema up` and migrate.
//
// Thread safety: functions of one transaction, used by its thread. Reads only.
#pragma once

#include <pqxx/transaction_base>
#include <string>

#include "base/row.h"
#include "base/status.h"

namespace ferry::postgres {

// OK when schema.table can take the mapping's rows; otherwise InvalidArgument naming the
// table, the column or constraint, what the target has, what the mapping needs and what to do:
//   - a column of the mapping is missing (CheckExistingTable);
//   - a column's type is not the one ferry writes (PgTypeOf; text also as an unbounded
//     character varying, integer also as numeric): `uuid`, `timestamp without time zone`,
//     `integer` change, refuse or overflow values;
//   - a column the mapping does not write is NOT NULL without a default (every insert fails);
//   - no primary key or full unique index on exactly the primary key, or (when
//     `require_unique_keys`) on one of the mapping's unique keys (without it the application's
//     rows would be duplicated; `ferry schema up` adds such a key as a recorded migration).
// REQUIRES: TableExists(txn, schema, table.name).
Status CheckAdoptable(pqxx::transaction_base& txn, const std::string& schema, const TableDef& table,
                      bool require_unique_keys = true);

// True when every value ferry writes as `wanted` reads back exactly from a column of `type`
// (as format_type() spells it).
bool RoundTrips(ColumnType wanted, const std::string& type);

}  // namespace ferry::postgres
