#include "loaders/postgresql/batch_writer.h"

// pqxx 6.4's stream_to keeps its raw-line writer private, so a batch whose COPY text is
// already built goes through tablewriter::write_raw_line, one call for the whole batch.
// tablewriter is deprecated in favour of stream_to, hence the pragma (this file only).
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <time.h>

#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include "base/fault_point.h"
#include "base/quoted.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/foreign_key_violation.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/postgresql/unit_rejects.h"
#include "loaders/postgresql/write_sql.h"
#include "loaders/process_identity.h"
#include "loaders/unit_mark.h"

namespace ferry::postgres {

namespace {

constexpr const char* kCheckpointStatement = "ferry_checkpoint";
constexpr const char* kUniqueViolation = "23505";
constexpr const char* kForeignKeyViolation = "23503";
// Batches whose rows break as many different missing parents fail as before: each pass is a
// round trip with the whole batch.
constexpr int kMaxForeignKeyPasses = 32;

std::vector<std::string> ColumnNames(const TableDef& table) {
  std::vector<std::string> names;
  for (const ColumnDef& column : table.columns) {
    names.push_back(column.name);
  }
  return names;
}

// The client's clock as a timestamptz literal (UTC, microseconds): the id-map rows' updated_at.
std::string NowText() {
  using std::chrono::system_clock;
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(system_clock::now().time_since_epoch())
          .count();
  time_t seconds = static_cast<time_t>(micros / 1000000);
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  char text[48];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(micros % 1000000));
  return text;
}

// The end of the line that holds the middle of `text` (whole lines): where a COPY is cut in two.
size_t MiddleLineEnd(const std::string& text) {
  size_t end = text.find('\n', text.size() / 2);
  return end == std::string::npos ? text.size() : end + 1;
}

// COPY `text` (whole lines) into `table` (columns already quoted where needed). Under a fault
// test (base/fault_point.h) the text goes in two halves with the point "pg.copy.mid" between.
void CopyLines(pqxx::work& txn, const std::string& table, const std::vector<std::string>& columns,
               const std::string& text) {
  pqxx::tablewriter writer(txn, table, columns.begin(), columns.end());
  if (!FaultPointsArmed()) {
    writer.write_raw_line(text);
  } else {
    size_t half = MiddleLineEnd(text);
    writer.write_raw_line(text.substr(0, half));
    FaultPoint("pg.copy.mid");
    if (half < text.size()) writer.write_raw_line(text.substr(half));
  }
  writer.complete();
}

Checkpoint CheckpointOf(const WriteBatch& batch) {
  Checkpoint checkpoint = batch.checkpoint;
  if (checkpoint.entity.empty()) {
    checkpoint.entity = batch.entity;
  }
  return checkpoint;
}

// Fills skipped (and merged, for a merge batch) from inserted and updated. A kept row is
// counted by the client, not here.
BatchOutcome Completed(const WriteBatch& batch, BatchOutcome outcome) {
  int64_t written = 0;
  for (const IdentityRecord& identity : batch.identities) written += identity.keep_row ? 0 : 1;
  outcome.skipped = written - outcome.inserted - outcome.updated;
  if (batch.policy == ConflictPolicy::kMerge) {
    outcome.merged = outcome.updated;
    outcome.updated = 0;
  }
  return outcome;
}

}  // namespace

Result<BatchWriter::TableStatements*> BatchWriter::StatementsFor(const TableDef& table) {
  auto found = tables_.find(table.name);
  std::vector<std::string> columns = ColumnNames(table);
  if (found != tables_.end() && found->second.columns == columns &&
      found->second.primary_key == table.primary_key) {
    return &found->second;
  }
  TableStatements statements;
  int id = next_id_++;
  statements.columns = std::move(columns);
  statements.primary_key = table.primary_key;
  const std::string& schema = session_->schema();
  statements.target = QualifiedName(schema, table.name);
  for (const std::string& column : statements.columns) {
    statements.quoted_columns.push_back(QuoteIdentifier(column));
  }
  statements.staging = "ferry_stage_" + std::to_string(id);
  statements.keep_name = "ferry_upsert_keep_" + std::to_string(id);
  statements.update_name = "ferry_upsert_" + std::to_string(id);
  Status status = Guarded(
      "preparing the writes of table " + Quoted(table.name), session_->secrets(), [&]() -> Status {
        pqxx::connection& connection = session_->connection();
        pqxx::nontransaction txn(connection);
        txn.exec0(CreateStagingSql(table, statements.staging));
        connection.prepare(statements.keep_name,
                           UpsertSql(table, schema, statements.staging, /*update=*/false));
        connection.prepare(statements.update_name,
                           UpsertSql(table, schema, statements.staging, /*update=*/true));
        if (!checkpoint_prepared_) {
          connection.prepare(kCheckpointStatement, CheckpointSql(schema));
          checkpoint_prepared_ = true;
        }
        return Status::OK();
      });
  FERRY_RETURN_IF_ERROR(status);
  TableStatements& slot = tables_[table.name];
  slot = std::move(statements);
  return &slot;
}

Result<BatchOutcome> BatchWriter::Write(const WriteBatch& batch, const std::string& run_id) {
  std::optional<ForeignKeyViolation> violation;
  Result<BatchOutcome> outcome = WriteOnce(batch, run_id, &violation);
  if (outcome.ok() || !violation || !batch.reject_broken_keys) return outcome;
  // A foreign key of the application's refused a row: reject the rows holding the missing
  // value and write the rest again, until it goes in (each pass removes at least one row).
  std::vector<RowReject> rejected;
  std::vector<size_t> original;  // the index in `batch` of each row of `rest`
  for (size_t i = 0; i < batch.rows.size(); ++i) original.push_back(i);
  WriteBatch rest = batch;
  for (int pass = 0; pass < kMaxForeignKeyPasses && outcome.status().IsRejected() && violation;
       ++pass) {
    std::vector<RowReject> breaking = RowsBreaking(rest, *violation);
    if (breaking.empty()) break;
    WriteBatch next = rest;
    next.rows.clear();
    next.identities.clear();
    std::vector<size_t> next_original;
    size_t b = 0;
    for (size_t i = 0; i < rest.rows.size(); ++i) {
      if (b < breaking.size() && breaking[b].row == i) {
        rejected.push_back({original[i], std::move(breaking[b++].reason)});
        continue;
      }
      next.rows.push_back(std::move(rest.rows[i]));
      next.identities.push_back(std::move(rest.identities[i]));
      next_original.push_back(original[i]);
    }
    rest = std::move(next);
    original = std::move(next_original);
    violation.reset();
    outcome = WriteOnce(rest, run_id, &violation);
  }
  if (!outcome.ok()) return outcome;
  outcome->rejected = std::move(rejected);
  return outcome;
}

Result<BatchWriter::Prepared> BatchWriter::Prepare(const WriteBatch& batch,
                                                   const std::string& run_id) {
  FERRY_ASSIGN_OR_RETURN(DirectCopyText text,
                         BatchDirectCopyText(batch, run_id, NowText(), session_->schema()));
  FERRY_ASSIGN_OR_RETURN(TableStatements * statements, StatementsFor(*batch.table));
  return Prepared{std::move(text), statements};
}

Status BatchWriter::WriteIn(pqxx::work& txn, const WriteBatch& batch, const std::string& run_id,
                            const Prepared& prepared, BatchOutcome* outcome) {
  const DirectCopyText& text = prepared.text;
  const TableStatements* statements = prepared.statements;
  Checkpoint checkpoint = CheckpointOf(batch);
  const std::string& upsert =
      batch.policy == ConflictPolicy::kSkip ? statements->keep_name : statements->update_name;
  try {
    if (text.new_rows > 0) {
      CopyLines(txn, statements->target, statements->quoted_columns, text.table);
      CopyLines(txn, "ferry.id_map", IdMapCopyColumns(), text.id_map);
    }
  } catch (const pqxx::sql_error& error) {
    if (error.sqlstate() != kUniqueViolation) throw;
    // The transaction is rolled back as txn goes out of scope.
    Status taken = PgError(error, "writing a batch of table " + Quoted(batch.table->name),
                           session_->secrets());
    return Status::Rejected(taken.message() +
                            " (a row written since this batch read the target, by another "
                            "client or run; running the command again adopts it)");
  }
  if (text.staged_rows > 0) {
    CopyLines(txn, statements->staging, StagingColumns(*batch.table), text.staged);
    FaultPoint("pg.before_upsert");
    pqxx::row counts = txn.exec_prepared1(upsert, batch.user_id, batch.entity, run_id,
                                          checkpoint.unit, checkpoint.entity, checkpoint.position);
    outcome->inserted = counts[0].as<int64_t>();
    outcome->updated = counts[1].as<int64_t>();
  } else {
    FaultPoint("pg.before_upsert");
    txn.exec_prepared0(kCheckpointStatement, batch.user_id, checkpoint.entity, checkpoint.unit,
                       checkpoint.position, run_id);
  }
  outcome->inserted += text.new_rows;
  if (!batch.unit_rejects.empty()) {  // with the mark they belong to, both or neither
    KeepUnitRejects(txn, session_->schema(), batch.user_id, checkpoint.unit, checkpoint.position,
                    batch.unit_rejects, run_id);
  }
  for (const AuditEntry& entry : batch.audit) Audit(txn, run_id, entry.action, entry.detail);
  if (DeletesLockRow(batch)) {
    // As UnlockUser deletes it (this process's row only); the advisory lock stays held until
    // UnlockUser, after the commit.
    txn.exec_params0(
        "DELETE FROM ferry.locks WHERE user_id = $1 AND target_schema = $2 AND run_id = $3 AND "
        "token = $4",
        batch.user_id, session_->schema(), run_id, ProcessToken());
  }
  return Status::OK();
}

bool BatchWriter::DeletesLockRow(const WriteBatch& batch) const {
  return locked_users_ != nullptr && CheckpointOf(batch).entity == kUnitDoneEntity &&
         locked_users_->count(batch.user_id) != 0;
}

Result<BatchOutcome> BatchWriter::WriteOnce(const WriteBatch& batch, const std::string& run_id,
                                            std::optional<ForeignKeyViolation>* violation) {
  FERRY_ASSIGN_OR_RETURN(Prepared prepared, Prepare(batch, run_id));
  std::string context = "writing a batch of table " + Quoted(batch.table->name);
  BatchOutcome outcome;
  Status status = Guarded(context, session_->secrets(), [&]() -> Status {
    try {
      pqxx::work txn(session_->connection());
      FERRY_RETURN_IF_ERROR(WriteIn(txn, batch, run_id, prepared, &outcome));
      FaultPoint("pg.before_commit");
      txn.commit();
      FaultPoint("pg.after_commit");
      return Status::OK();
    } catch (const pqxx::sql_error& error) {
      if (error.sqlstate() == kForeignKeyViolation) {
        *violation = ParseForeignKeyViolation(error.what());
      }
      throw;
    }
  });
  FERRY_RETURN_IF_ERROR(status);
  return Completed(batch, outcome);
}

Result<std::vector<BatchOutcome>> BatchWriter::WriteTogether(const std::vector<WriteBatch>& batches,
                                                             const std::string& run_id) {
  std::vector<Prepared> prepared;
  prepared.reserve(batches.size());
  for (const WriteBatch& batch : batches) {
    FERRY_ASSIGN_OR_RETURN(Prepared one, Prepare(batch, run_id));
    prepared.push_back(std::move(one));
  }
  std::vector<BatchOutcome> outcomes(batches.size());
  Status status = Guarded("writing a user's batches", session_->secrets(), [&]() -> Status {
    pqxx::work txn(session_->connection());
    for (size_t i = 0; i < batches.size(); ++i) {
      FERRY_RETURN_IF_ERROR(WriteIn(txn, batches[i], run_id, prepared[i], &outcomes[i]));
    }
    FaultPoint("pg.before_commit");
    txn.commit();
    FaultPoint("pg.after_commit");
    return Status::OK();
  });
  FERRY_RETURN_IF_ERROR(status);
  for (size_t i = 0; i < batches.size(); ++i) outcomes[i] = Completed(batches[i], outcomes[i]);
  return outcomes;
}

}  // namespace ferry::postgres
