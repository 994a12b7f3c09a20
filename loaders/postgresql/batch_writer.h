// BatchWriter: writes one WriteBatch into its PostgreSQL table in one transaction that also
// holds the batch's id-map rows and the run's checkpoint (so a crash leaves all of it or none).
// write_sql.h has the statements.
//
// Two paths. The client classified every row against the id map just before the batch
// (Loader::LookupIdentities, one query per batch) and says so in IdentityRecord::known.
//
// Direct path, tried first:
//   - new rows (known false): COPY straight into the table, and their id-map rows COPY straight
//     into ferry.id_map. No staging, no ON CONFLICT, no read of the id map.
//   - known rows: skip leaves them alone (counted skipped; the target keeps its row); overwrite
//     and merge COPY them into the staging table and upsert them with one statement that does
//     not re-check the id map (the client already left out the ones known unchanged).
//   - the checkpoint, in the same transaction.
// Staged path, the fallback: the whole batch into the staging table, then one statement that
// re-checks the id map for every row and settles conflicts by policy (ON CONFLICT).
//
// Why the direct path is exactly-once, and when it gives way. A new row can be wrong to COPY
// only if, by the time of the write, (a) the id map has its identity after all (another run
// for the same user and target: the product allows one at a time, but nothing here relies on
// it), (b) a row the id map does not know holds one of its keys (written by another tool, or
// by a run whose id map was lost), or (c) two rows of the batch share a key. Each of these
// makes the COPY fail with a unique violation (23505): ferry.id_map's primary key for (a), the
// table's primary key or unique constraints for (b) and (c). The transaction is then rolled
// back, so nothing of it stays, and the whole batch is written again through the staged path,
// which resolves every row by policy. A direct write that commits therefore did what the staged
// path would have done: every new row inserted, with one id-map row each. Known rows stay
// known: ferry never deletes id-map rows, so the identity the lookup found is still there; the
// only thing a concurrent run could change is the content hash, and then the cost of trusting
// the classification is rewriting a row with the same content (counted updated, not skipped).
// The common path reads nothing from the id map, which also removes the staged statement's
// plan problem (the temp table has no statistics, so its NOT EXISTS read all of the user's
// id-map entries per batch).
//
// Locks: the rows written and the id-map and checkpoint rows of this batch's user, nothing
// wider (no LOCK TABLE, no DDL in the batch: the staging table is created once per session,
// outside any batch). So runs for other users load into the same tables at the same time.
//
// Policies: skip and overwrite; a merge batch holds rows already merged by the caller and is
// written as overwrite, its updates reported as merged.
//
// Thread safety: used by the thread that owns the session.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "loaders/loader.h"
#include "loaders/postgresql/batch_copy_text.h"
#include "loaders/postgresql/connection.h"

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

  // Batches that fell back to the staged path since the writer was made (for tests and logs).
  int64_t fallbacks() const { return fallbacks_; }

 private:
  struct TableStatements {
    std::vector<std::string> columns;  // the definition these were made for
    std::vector<std::string> primary_key;
    std::string target;                       // "schema"."table"
    std::vector<std::string> quoted_columns;  // for the direct COPY
    std::string staging;                      // temp table name
    std::string skip_name;                    // prepared statement names
    std::string overwrite_name;
    std::string trusted_overwrite_name;
  };

  Result<TableStatements*> StatementsFor(const TableDef& table);
  // The direct path. Sets *conflicted (and writes nothing) on a unique violation.
  Result<BatchOutcome> WriteDirect(const WriteBatch& batch, const std::string& run_id,
                                   const DirectCopyText& text, const TableStatements& statements,
                                   bool* conflicted);
  Result<BatchOutcome> WriteStaged(const WriteBatch& batch, const std::string& run_id,
                                   const TableStatements& statements);

  Session* session_;
  int next_id_ = 0;
  bool checkpoint_prepared_ = false;  // kCheckpointStatement, once per session
  int64_t fallbacks_ = 0;
  std::unordered_map<std::string, TableStatements> tables_;
};

}  // namespace ferry::postgres
