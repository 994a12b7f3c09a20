// Evolution steps on the PostgreSQL target (loaders/schema_evolution.h has the plan, the same
// for both targets): the table's shape from the catalog, and each step's SQL. A column is added
// with ALTER TABLE ADD COLUMN (a ulid one with its CHECK; NOT NULL and DEFAULT as the step
// says, the DEFAULT staying on the column) and reverted with DROP COLUMN; a unique key is a
// CREATE UNIQUE INDEX named UniqueIndexName in the table's schema, a plain index a CREATE
// INDEX, each reverted with DROP INDEX; widening a ulid column to text drops its ULID CHECK, and
// reverting adds it back (refused by the server when a value is no ULID).
//
// Thread safety: functions of one transaction, used by its thread.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "loaders/schema_evolution.h"

namespace ferry::postgres {

// The columns, unique keys and indexes of schema.table. REQUIRES: the table exists.
Result<ExistingTable> ReadExistingTable(pqxx::transaction_base& txn, const std::string& schema,
                                        const std::string& table);

// Up to five values of `key` that more than one row holds (rows with a NULL in the key left
// out), each as "(u1, 7) in 2 rows".
Result<std::vector<std::string>> DuplicateKeys(pqxx::transaction_base& txn,
                                               const std::string& schema, const std::string& table,
                                               const std::vector<std::string>& key);

// Applies `step` to schema.table; an added unique key is refused first (InvalidArgument,
// DuplicateKeyRefusal) when rows share it.
Status ApplyStep(pqxx::transaction_base& txn, const std::string& schema, const std::string& table,
                 const EvolutionStep& step);

// Reverts `step` (migration `version`); dropping a column that holds values other than its
// DEFAULT needs `force`.
Status RevertStep(pqxx::transaction_base& txn, const std::string& schema, const std::string& table,
                  const EvolutionStep& step, int64_t version, bool force);

}  // namespace ferry::postgres
