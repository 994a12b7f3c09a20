#include "loaders/sqlite/run_history.h"

#include <map>

#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/user_lock.h"

namespace ferry::sqlite {

namespace {

// Whether ferry_runs has `column` (a later bookkeeping step's, which only a run adds).
Result<bool> RunsHave(sqlite3* db, const char* column) {
  FERRY_ASSIGN_OR_RETURN(
      Statement stmt, Prepare(db, "SELECT 1 FROM pragma_table_info('ferry_runs') WHERE name = ?1"));
  FERRY_RETURN_IF_ERROR(BindValue(stmt.get(), 1, Cell(std::string(column))));
  return Step(db, stmt.get(), "reading ferry_runs");
}

// The columns of a RunRecord, in RunAt's order; unchanged is 0 before bookkeeping 2 and archive
// NULL before bookkeeping 3 (a status of an older ferry's target, which only a run upgrades).
Result<std::string> RunColumns(sqlite3* db) {
  FERRY_ASSIGN_OR_RETURN(bool counted, RunsHave(db, "unchanged"));
  FERRY_ASSIGN_OR_RETURN(bool archived, RunsHave(db, "archive"));
  return std::string(
             "SELECT run_id, started_at, finished_at, status, arguments, fingerprint, host, pid, "
             "records_read, inserted, updated, skipped, rejected, ") +
         (counted ? "unchanged" : "0") + (archived ? ", archive" : ", NULL") + " FROM ferry_runs ";
}

RunRecord RunAt(sqlite3_stmt* stmt) {
  RunRecord run;
  run.run_id = ColumnText(stmt, 0);
  run.started_at = ColumnText(stmt, 1);
  run.finished_at = ColumnText(stmt, 2);
  run.status = ColumnText(stmt, 3);
  run.arguments = ColumnText(stmt, 4);
  run.fingerprint = ColumnText(stmt, 5);
  run.host = ColumnText(stmt, 6);
  run.pid = sqlite3_column_int64(stmt, 7);
  run.read = sqlite3_column_int64(stmt, 8);
  run.inserted = sqlite3_column_int64(stmt, 9);
  run.updated = sqlite3_column_int64(stmt, 10);
  run.skipped = sqlite3_column_int64(stmt, 11);
  run.rejected = sqlite3_column_int64(stmt, 12);
  run.unchanged = sqlite3_column_int64(stmt, 13);
  run.archive = ColumnText(stmt, 14);
  if (run.status == "running" && !HolderAlive(run.host, run.pid)) {
    run.status = "interrupted";
  }
  return run;
}

// Runs `body()` (returning Status) in one read transaction, unless `table` does not exist.
template <typename Body>
Status ReadIfExists(sqlite3* db, const char* table, Body&& body) {
  std::string context = std::string("reading ") + table;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred, context));
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, table));
  if (exists) {
    FERRY_RETURN_IF_ERROR(body());
  }
  return txn.Commit(context);
}

// Calls `on_row(stmt)` for each row of `stmt` until it returns false.
template <typename OnRow>
Status EachRow(sqlite3* db, sqlite3_stmt* stmt, std::string_view context, OnRow&& on_row) {
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt, context));
    if (!has_row || !on_row(stmt)) {
      return Status::OK();
    }
  }
}

}  // namespace

Status ReadCheckpoint(sqlite3* db, const std::string& user_id, const std::string& entity,
                      const std::string& unit, std::optional<StoredCheckpoint>* out) {
  out->reset();
  return ReadIfExists(db, "ferry_checkpoints", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(Statement stmt,
                           PrepareBound(db,
                                        "SELECT run_id, position FROM ferry_checkpoints "
                                        "WHERE user_id = ?1 AND entity = ?2 AND unit = ?3",
                                        {user_id, entity, unit}));
    return EachRow(db, stmt.get(), "reading ferry_checkpoints", [&](sqlite3_stmt* row) {
      *out = StoredCheckpoint{ColumnText(row, 0), sqlite3_column_int64(row, 1)};
      return false;
    });
  });
}

Status ListUserCheckpoints(sqlite3* db, const std::string& user_id, size_t limit,
                           std::vector<CheckpointRecord>* out, bool* complete) {
  out->clear();
  *complete = true;  // no table: no checkpoint
  return ReadIfExists(db, "ferry_checkpoints", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(Statement stmt,
                           PrepareBound(db,
                                        "SELECT entity, unit, position, run_id FROM "
                                        "ferry_checkpoints WHERE user_id = ?1 LIMIT " +
                                            std::to_string(limit + 1),
                                        {user_id}));
    FERRY_RETURN_IF_ERROR(
        EachRow(db, stmt.get(), "reading ferry_checkpoints", [&](sqlite3_stmt* row) {
          out->push_back(CheckpointRecord{user_id, ColumnText(row, 0), ColumnText(row, 1),
                                          sqlite3_column_int64(row, 2), ColumnText(row, 3), ""});
          return true;
        }));
    *complete = out->size() <= limit;
    return Status::OK();
  });
}

Status ListCheckpoints(sqlite3* db, const std::string& run_id, std::vector<CheckpointRecord>* out) {
  out->clear();
  return ReadIfExists(db, "ferry_checkpoints", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(
        Statement stmt, PrepareBound(db,
                                     "SELECT user_id, entity, unit, position, run_id, updated_at "
                                     "FROM ferry_checkpoints WHERE ?1 = '' OR run_id = ?1 "
                                     "ORDER BY user_id, entity, unit",
                                     {run_id}));
    return EachRow(db, stmt.get(), "reading ferry_checkpoints", [&](sqlite3_stmt* row) {
      out->push_back(CheckpointRecord{ColumnText(row, 0), ColumnText(row, 1), ColumnText(row, 2),
                                      sqlite3_column_int64(row, 3), ColumnText(row, 4),
                                      ColumnText(row, 5)});
      return true;
    });
  });
}

Status ListRunIdentities(sqlite3* db, const std::string& run_id, const RunIdentity* after,
                         size_t limit, std::vector<RunIdentity>* out) {
  out->clear();
  return ReadIfExists(db, "ferry_id_map", [&]() -> Status {
    // Keyset pages along the primary key (entity, user_id, legacy_id): each page starts where
    // the last ended, so the pages together read the table once.
    constexpr char kColumns[] = "SELECT user_id, entity, legacy_id, ulid FROM ferry_id_map ";
    constexpr char kOrder[] = " ORDER BY entity, user_id, legacy_id LIMIT ";
    const std::string page = kOrder + std::to_string(limit);
    Result<Statement> made =
        after == nullptr
            ? PrepareBound(db, kColumns + std::string("WHERE run_id = ?1") + page, {run_id})
            : PrepareBound(db,
                           kColumns +
                               std::string("WHERE run_id = ?1 AND (entity, user_id, legacy_id) > "
                                           "(?2, ?3, ?4)") +
                               page,
                           {run_id, after->entity, after->user_id, after->legacy_id});
    FERRY_ASSIGN_OR_RETURN(Statement stmt, std::move(made));
    return EachRow(db, stmt.get(), "reading ferry_id_map", [&](sqlite3_stmt* row) {
      out->push_back(RunIdentity{ColumnText(row, 0), ColumnText(row, 1), ColumnText(row, 2),
                                 ColumnText(row, 3)});
      return true;
    });
  });
}

Status ListRuns(sqlite3* db, int limit, std::vector<RunRecord>* out) {
  out->clear();
  return ReadIfExists(db, "ferry_runs", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(std::string columns, RunColumns(db));
    FERRY_ASSIGN_OR_RETURN(
        Statement stmt, PrepareBound(db, columns + "ORDER BY started_at DESC, run_id DESC LIMIT ?1",
                                     {int64_t{limit > 0 ? limit : -1}}));
    return EachRow(db, stmt.get(), "reading ferry_runs", [&](sqlite3_stmt* row) {
      out->push_back(RunAt(row));
      return true;
    });
  });
}

Status FindInterruptedRun(sqlite3* db, const std::string& arguments,
                          std::optional<RunRecord>* out) {
  out->reset();
  return ReadIfExists(db, "ferry_runs", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(std::string columns, RunColumns(db));
    FERRY_ASSIGN_OR_RETURN(Statement stmt,
                           PrepareBound(db,
                                        columns + "WHERE arguments = ?1 AND status = 'running' "
                                                  "ORDER BY started_at DESC, run_id DESC",
                                        {arguments}));
    return EachRow(db, stmt.get(), "reading ferry_runs", [&](sqlite3_stmt* row) {
      RunRecord run = RunAt(row);
      if (run.status == "interrupted") {
        *out = std::move(run);
        return false;
      }
      return true;
    });
  });
}

Status AddRunErrors(sqlite3* db, std::vector<RunRecord>* runs) {
  std::map<std::string, std::string> errors;  // run id -> its newest error
  FERRY_RETURN_IF_ERROR(ReadIfExists(db, "ferry_audit_log", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(Statement stmt,
                           PrepareBound(db,
                                        "SELECT run_id, detail FROM ferry_audit_log "
                                        "WHERE action = ?1 ORDER BY at",
                                        {std::string(kRunErrorAction)}));
    return EachRow(db, stmt.get(), "reading ferry_audit_log", [&](sqlite3_stmt* row) {
      errors[ColumnText(row, 0)] = ColumnText(row, 1);
      return true;
    });
  }));
  for (RunRecord& run : *runs) {
    auto found = errors.find(run.run_id);
    if (found != errors.end() && EndedWithError(run)) run.error = found->second;
  }
  return Status::OK();
}

Status ListAuditDetails(sqlite3* db, const std::string& run_id, const std::string& action,
                        std::vector<std::string>* out) {
  return ReadIfExists(db, "ferry_audit_log", [&]() -> Status {
    FERRY_ASSIGN_OR_RETURN(Statement stmt,
                           PrepareBound(db,
                                        "SELECT detail FROM ferry_audit_log "
                                        "WHERE run_id = ?1 AND action = ?2 ORDER BY at",
                                        {run_id, action}));
    return EachRow(db, stmt.get(), "reading ferry_audit_log", [&](sqlite3_stmt* row) {
      out->push_back(ColumnText(row, 0));
      return true;
    });
  });
}

}  // namespace ferry::sqlite
