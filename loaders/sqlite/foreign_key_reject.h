// Naming the foreign key a row broke. SQLite says only "FOREIGN KEY constraint failed"; a
// record the application's keys refuse is a reject that must say which key and which table
// lacks the row (loaders/loader.h RowReject), so the keys are read back and tried one by one.
//
// Thread safety: used by the thread that owns the connection.
#pragma once

#include <sqlite3.h>

#include <string>

#include "base/result.h"
#include "base/row.h"

namespace ferry::sqlite {

// The reason `row` of `table` failed with SQLITE_CONSTRAINT_FOREIGNKEY: the first foreign key
// of the table whose parent table holds no row for the row's values, as
// `breaks the foreign key ("status") REFERENCES "app_statuses" ("name"): ...`. The values are
// not shown (they may be sensitive). When no key can be singled out (a deferred key, a key on
// a column ferry does not write) the reason names the table's keys as a whole.
Result<std::string> BrokenForeignKey(sqlite3* db, const TableDef& table, const Row& row);

}  // namespace ferry::sqlite
