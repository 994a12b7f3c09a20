// BatchWriter: writes one WriteBatch into its table in one transaction, with the conflict
// policy, the id map rows and the checkpoint (see loaders/loader.h for the contract).
//
// The client decided each row against the row in the target (agent/run/commit_batch.h): the
// batch holds only rows to write, and adopted rows to keep (IdentityRecord::keep_row). Per
// row, inside the transaction:
//   id map     the identity's row is upserted with the row's ULID (an adopted row's, maybe)
//              and content hash. A kept row stops here.
//   the row    INSERT ... ON CONFLICT(key) DO NOTHING -> inserted; the key being taken, under
//              skip -> skipped (kept), else an UPDATE of every other column -> updated (a
//              merge batch: merged, its rows already merged by the caller). A row that takes
//              a unique key of another row fails the batch (UNIQUE constraint failed): the
//              client adopts such rows before it writes, so only a row written meanwhile by
//              another client gets here.
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
  Result<bool> InsertRow(const WriteBatch& batch, size_t row, TableStatements& statements);
  // REQUIRES: inside the batch's transaction, after id_map_->BindBatch().
  Status WriteRow(const WriteBatch& batch, size_t row, TableStatements& statements,
                  BatchOutcome* outcome);

  sqlite3* db_;
  IdMap* id_map_;
  std::unordered_map<std::string, TableStatements> tables_;
};

}  // namespace ferry::sqlite
