// Evolution steps on the SQLite target (loaders/schema_evolution.h has the plan, the same for
// both targets): the table's shape from the catalog, and each step's SQL. A column is added
// with ALTER TABLE ADD COLUMN (NOT NULL and DEFAULT as the step says; the DEFAULT stays on the
// column) and reverted with DROP COLUMN (SQLite 3.35+); a unique key is a CREATE UNIQUE INDEX
// named UniqueIndexName, a plain index a CREATE INDEX, each reverted with DROP INDEX. Widening a
// ulid column to text is a no-op: both are TEXT, so the table's checksum does not change either.
//
// Thread safety: functions of one connection, used by its thread, inside the caller's
// transaction.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "loaders/schema_evolution.h"

namespace ferry::sqlite {

// The table's columns, unique keys and indexes. REQUIRES: the table exists.
Result<ExistingTable> ReadExistingTable(sqlite3* db, const std::string& table);

// Up to five values of `key` that more than one row of `table` holds (rows with a NULL in the
// key are left out: a unique index allows them), each as "('u1', 7) in 2 rows".
Result<std::vector<std::string>> DuplicateKeys(sqlite3* db, const std::string& table,
                                               const std::vector<std::string>& key);

// Applies `step` to `table`; an added unique key is refused first (InvalidArgument,
// DuplicateKeyRefusal) when rows share it.
Status ApplyStep(sqlite3* db, const std::string& table, const EvolutionStep& step);

// Reverts `step` (migration `version`) on `table`; dropping a column that holds values other
// than its DEFAULT needs `force` (InvalidArgument otherwise).
Status RevertStep(sqlite3* db, const std::string& table, const EvolutionStep& step, int64_t version,
                  bool force);

}  // namespace ferry::sqlite
