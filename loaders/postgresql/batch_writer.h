// BatchWriter: writes one WriteBatch into its PostgreSQL table in one transaction that also
// holds the batch's id-map rows and the run's checkpoint (so a crash leaves all of it or none).
// write_sql.h has the statements.
//
// The client decided every row against the row in the target just before the batch
// (agent/run/commit_batch.h): the batch holds only rows to write, and adopted rows to keep.
//   - new rows (a new identity, no row in the target: IdentityRecord known and adopted false):
//     COPY straight into the table, and their id-map rows COPY straight into ferry.id_map. No
//     staging, no ON CONFLICT, no read.
//   - the other rows (a known identity whose row is rewritten or was deleted, an adopted row):
//     COPY into the staging table and one upsert by primary key (DO NOTHING under skip), which
//     upserts their id-map rows too; a kept row (keep_row) only has its id-map row written.
//   - the checkpoint, in the same transaction.
//
// Exactly once. A new row can be wrong to COPY only if, since the client read the target, the
// id map learnt its identity (another run for the same user: the user lock excludes it), a
// row took one of its keys (another client writing the table), or two rows of the batch share
// a key (the client rejects such records first). Each makes the COPY fail with a unique
// violation (23505); the transaction is rolled back, nothing of it stays, and the batch fails
// (Rejected, naming the key) rather than guess: a rerun reads the target again and adopts the
// row. There is no second path that could keep a row silently and leave its children pointing
// at a ULID that was never stored.
//
// Foreign keys of the application's (ferry makes none): a row that breaks one fails the
// transaction (23503); the rows of the batch holding the value the server names are returned
// in BatchOutcome::rejected, naming the key (foreign_key_violation.h), and the rest of the
// batch is written again in a new transaction (WriteBatch::reject_broken_keys; else the
// batch fails with the server's message, which names the key).
//
// Locks: the rows written and the id-map and checkpoint rows of this batch's user, nothing
// wider (no LOCK TABLE, no DDL in the batch: the staging table is created once per session,
// outside any batch). So runs for other users load into the same tables at the same time.
//
// Policies: a merge batch holds rows already merged by the caller and is written as
// overwrite, its updates reported as merged.
//
// Thread safety: used by the thread that owns the session.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "loaders/loader.h"
#include "loaders/postgresql/batch_copy_text.h"
#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/foreign_key_violation.h"

namespace ferry::postgres {

class BatchWriter {
 public:
  // The session must outlive the writer.
  explicit BatchWriter(Session* session) : session_(session) {}
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Writes the batch or nothing. Fails naming the table (and, for a cell the target cannot
  // take, the legacy id). REQUIRES: batch.table exists in the target with its key.
  Result<BatchOutcome> Write(const WriteBatch& batch, const std::string& run_id);

  // Writes every batch, in order, in one transaction (one commit), or nothing. A row a foreign
  // key refuses fails the whole (Rejected): the caller then writes the batches one by one.
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches,
                                                  const std::string& run_id);

  // The users whose lock this session holds (user_lock.h; nullptr: none). A batch holding the
  // unit mark of one of them also deletes this process's row of the user's lock in
  // ferry.locks: the row goes as the user's data and mark commit, in their transaction.
  void SetLockedUsers(const std::set<std::string>* users) { locked_users_ = users; }
  // Whether `batch`, committed, deleted the row of its user's lock.
  bool DeletesLockRow(const WriteBatch& batch) const;

 private:
  struct TableStatements {
    std::vector<std::string> columns;  // the definition these were made for
    std::vector<std::string> primary_key;
    std::string target;                       // "schema"."table"
    std::vector<std::string> quoted_columns;  // for the direct COPY
    std::string staging;                      // temp table name
    std::string keep_name;  // prepared upserts: DO NOTHING (skip), DO UPDATE (overwrite, merge)
    std::string update_name;
  };

  Result<TableStatements*> StatementsFor(const TableDef& table);
  // A batch's COPY text and statements, made before its transaction begins.
  struct Prepared {
    DirectCopyText text;
    TableStatements* statements = nullptr;
  };
  Result<Prepared> Prepare(const WriteBatch& batch, const std::string& run_id);
  // The batch's rows, id-map rows and checkpoint into `txn` (not committed); *outcome gets the
  // inserted and updated counts.
  Status WriteIn(pqxx::work& txn, const WriteBatch& batch, const std::string& run_id,
                 const Prepared& prepared, BatchOutcome* outcome);
  // One transaction of the batch; a foreign key violation also sets *violation (when the
  // server's message names it).
  Result<BatchOutcome> WriteOnce(const WriteBatch& batch, const std::string& run_id,
                                 std::optional<ForeignKeyViolation>* violation);

  Session* session_;
  int next_id_ = 0;
  bool checkpoint_prepared_ = false;  // kCheckpointStatement, once per session
  const std::set<std::string>* locked_users_ = nullptr;
  std::unordered_map<std::string, TableStatements> tables_;
};

}  // namespace ferry::postgres
