// BatchWriter: writes one WriteBatch into its table in one transaction, with the conflict
// policy, the id map rows and the checkpoint (see loaders/loader.h for the contract).
//
// The client decided each row against the row in the target (agent/run/commit_batch.h): the
// batch holds only rows to write, and adopted rows to keep (IdentityRecord::keep_row). Per
// row, inside the transaction:
//   the row    INSERT ... ON CONFLICT(key) DO NOTHING -> inserted; the key being taken, under
//              skip -> skipped (kept), else an UPDATE of every other column -> updated (a
//              merge batch: merged, its rows already merged by the caller). A row that takes
//              a unique key of another row fails the batch (UNIQUE constraint failed): the
//              client adopts such rows before it writes, so only a row written meanwhile by
//              another client gets here. A row that breaks a foreign key of the target's
//              (the application's: ferry makes none) is undone alone and returned in
//              BatchOutcome::rejected, naming the key; the rest of the batch is written
//              (WriteBatch::reject_broken_keys; else the batch fails naming the key).
//   id map     then the identity's row is upserted with the row's ULID (an adopted row's,
//              maybe) and content hash; a kept row (keep_row) has only this.
//
// The INSERT and UPDATE of each table are prepared once and cached by table name.
//
// Thread safety: used by the thread that owns the connection.
#pragma once

#include <sqlite3.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "loaders/loader.h"
#include "loaders/sqlite/id_map.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

class BatchWriter {
 public:
  // The connection and the id map must outlive the writer.
  BatchWriter(sqlite3* db, IdMap* id_map) : db_(db), id_map_(id_map) {}
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Writes the batch or nothing. Fails naming the table and the legacy id of the row that
  // failed. REQUIRES: batch.table exists in the target with its key constraint.
  Result<BatchOutcome> Write(const WriteBatch& batch, const std::string& run_id);

 private:
  struct TableStatements {
    std::vector<std::string> columns;  // the definition these were prepared for
    std::vector<std::string> primary_key;
    Statement insert;  // INSERT ... ON CONFLICT (key) DO NOTHING
    Statement update;  // UPDATE ... SET others WHERE key; null when every column is key
  };

  Result<TableStatements*> StatementsFor(const TableDef& table);
  // Runs the table's INSERT for one row; true when it inserted (false: the key is taken).
  // *broken_key: the row broke a foreign key of the target's.
  Result<bool> InsertRow(const WriteBatch& batch, size_t row, TableStatements& statements,
                         bool* broken_key);
  // Counts `row`, which broke a foreign key, as rejected, naming the key (or fails the batch
  // so, when the batch does not reject rows: WriteBatch::reject_broken_keys).
  Status RejectRow(const WriteBatch& batch, size_t row, BatchOutcome* outcome);
  // REQUIRES: inside the batch's transaction, after id_map_->BindBatch().
  Status WriteRow(const WriteBatch& batch, size_t row, TableStatements& statements,
                  BatchOutcome* outcome);

  sqlite3* db_;
  IdMap* id_map_;
  std::unordered_map<std::string, TableStatements> tables_;
};

}  // namespace ferry::sqlite
