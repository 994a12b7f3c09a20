#include "loaders/sqlite/bookkeeping.h"

#include <unistd.h>

#include <chrono>
#include <initializer_list>
#include <string_view>

#include "base/fnv1a.h"
#include "loaders/core/bookkeeping_history.h"
#include "loaders/process_identity.h"
#include "loaders/schema_history.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/user_lock.h"
#include "transformers/datetime.h"

namespace ferry::sqlite {

namespace {

constexpr const char* kHistoryTable = "ferry_schema_history";

ColumnDef Text(const char* name, bool nullable = false) {
  return {name, ColumnType::kText, nullable};
}
ColumnDef Integer(const char* name) { return {name, ColumnType::kInteger, false}; }

std::vector<TableDef> MakeBookkeepingTables() {
  std::vector<TableDef> tables(6);
  tables[0] = {kHistoryTable,
               {Integer("version"), Text("checksum"), Text("applied_at"), Text("description")},
               {"version"},
               {}};
  tables[1] = {
      "ferry_runs",
      {Text("run_id"), Text("started_at"), Text("finished_at", true), Text("status"),
       Text("arguments"), Integer("records_read"), Integer("inserted"), Integer("updated"),
       Integer("skipped"), Integer("rejected"), Text("fingerprint"), Text("host"), Integer("pid")},
      {"run_id"},
      {}};
  tables[2] = {"ferry_id_map",
               {Text("entity"), Text("user_id"), Text("legacy_id"), Text("ulid"),
                Text("content_hash"), Text("run_id"), Text("updated_at")},
               {"entity", "user_id", "legacy_id"},
               {}};
  tables[3] = {"ferry_checkpoints",
               {Text("user_id"), Text("entity"), Text("unit"), Integer("position"), Text("run_id"),
                Text("updated_at")},
               {"user_id", "entity", "unit"},
               {}};
  tables[4] = {"ferry_locks",
               {Text("user_id"), Text("run_id"), Text("host"), Integer("pid"), Text("since")},
               {"user_id"},
               {}};
  tables[5] = {
      "ferry_audit_log",
      {Text("at"), Text("run_id"), Text("action"), Text("detail"), Text("os_user"), Text("host")},
      {"at", "run_id", "action"},
      {}};
  return tables;
}

constexpr const char* kUnchangedDdl =
    "ALTER TABLE ferry_runs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0";

// Bookkeeping 3: the column, then the archives of the runs already there, from the audit log
// (the latest "backup" entry of each: a resumed run's session makes an archive of its own).
constexpr const char* kArchiveDdl[] = {
    "ALTER TABLE ferry_runs ADD COLUMN archive TEXT",
    "UPDATE ferry_runs SET archive = (SELECT a.detail FROM ferry_audit_log a WHERE a.run_id = "
    "ferry_runs.run_id AND a.action = 'backup' ORDER BY a.at DESC LIMIT 1)",
};
static_assert(std::string_view(kBackupAction) == "backup");

// Bookkeeping 4: the rejects of a unit loaded whole but for them, beside its mark
// (agent/run/unit_rejects.h), so that a rerun gives them back without reading the unit.
constexpr const char* kUnitRejectsDdl =
    "CREATE TABLE IF NOT EXISTS ferry_unit_rejects (user_id TEXT NOT NULL, unit TEXT NOT NULL, "
    "position INTEGER NOT NULL, run_id TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT "
    "NULL, PRIMARY KEY (user_id, unit)) WITHOUT ROWID";

// Runs one statement with `values` bound to ?1, ?2, ...; returns the rows it changed.
Result<int> Run(sqlite3* db, const char* sql, std::initializer_list<Cell> values,
                std::string_view context) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  int index = 1;
  for (const Cell& value : values) {
    FERRY_RETURN_IF_ERROR(BindValue(stmt.get(), index++, value));
  }
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
  (void)has_row;  // none of these statements returns rows
  return sqlite3_changes(db);
}

// Run() for a statement whose count of changed rows does not matter.
Status RunIgnoringCount(sqlite3* db, const char* sql, std::initializer_list<Cell> values,
                        std::string_view context) {
  Result<int> changed = Run(db, sql, values, context);
  return changed.ok() ? Status::OK() : changed.status();
}

// Fails when ferry_schema_history says these tables are newer or other than ours; sets
// *recorded when it holds our version, *counted when it holds bookkeeping 2, *archived when
// it holds bookkeeping 3 and *kept when it holds bookkeeping 4. The rows of mapping tables
// (schema_migrations.h) are not the bookkeeping's and are left to `ferry schema`; a row of neither
// kind is a newer ferry's.
Status CheckHistory(sqlite3* db, bool* recorded, bool* counted, bool* archived, bool* kept) {
  *recorded = false;
  *counted = false;
  *archived = false;
  *kept = false;
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, kHistoryTable));
  if (!exists) {
    return Status::OK();
  }
  FERRY_ASSIGN_OR_RETURN(
      Statement stmt,
      Prepare(db,
              "SELECT version, checksum, description FROM ferry_schema_history ORDER BY version"));
  std::vector<HistoryRow> rows;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading ferry_schema_history"));
    if (!has_row) {
      break;
    }
    const unsigned char* checksum = sqlite3_column_text(stmt.get(), 1);
    const unsigned char* description = sqlite3_column_text(stmt.get(), 2);
    rows.push_back({sqlite3_column_int64(stmt.get(), 0),
                    checksum != nullptr ? reinterpret_cast<const char*>(checksum) : "", "",
                    description != nullptr ? reinterpret_cast<const char*>(description) : ""});
  }
  ExpectedBookkeeping expected;
  expected.history_table = kHistoryTable;
  expected.version = kBookkeepingVersion;
  expected.checksum = BookkeepingChecksum();
  expected.steps = {{kUnchangedDescription, UnchangedChecksum()},
                    {kArchiveDescription, ArchiveChecksum()},
                    {kUnitRejectsDescription, UnitRejectsChecksum()}};
  expected.version_changed_hint = " (were the ferry_ tables changed outside ferry?)";
  expected.step_changed_hint = expected.version_changed_hint;
  std::vector<bool> steps;
  FERRY_RETURN_IF_ERROR(CheckBookkeepingHistory(rows, expected, recorded, &steps));
  *counted = steps[0];
  *archived = steps[1];
  *kept = steps[2];
  return Status::OK();
}

}  // namespace

const std::vector<TableDef>& BookkeepingTables() {
  static const std::vector<TableDef> tables = MakeBookkeepingTables();
  return tables;
}

std::string BookkeepingChecksum() {
  Fnv1a64 hash;  // drift detection, not security
  for (const TableDef& table : BookkeepingTables()) {
    hash.Add(CreateTableSql(table, /*without_rowid=*/true));
  }
  return hash.Hex();
}

std::string UnchangedChecksum() {
  Fnv1a64 hash;
  hash.Add(kUnchangedDdl);
  return hash.Hex();
}

std::string ArchiveChecksum() {
  Fnv1a64 hash;
  for (const char* statement : kArchiveDdl) hash.Add(statement);
  return hash.Hex();
}

std::string UnitRejectsChecksum() {
  Fnv1a64 hash;
  hash.Add(kUnitRejectsDdl);
  return hash.Hex();
}

bool IsReservedTableName(std::string_view name) {
  return (name.size() >= 6 && SameIdentifier(name.substr(0, 6), "ferry_")) ||
         (name.size() >= 7 && SameIdentifier(name.substr(0, 7), "sqlite_"));
}

Status EnsureBookkeeping(sqlite3* db, bool* recorded_now) {
  if (recorded_now != nullptr) *recorded_now = false;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, "creating the ferry_ tables"));
  bool recorded = false;
  bool counted = false;
  bool archived = false;
  bool kept = false;
  FERRY_RETURN_IF_ERROR(CheckHistory(db, &recorded, &counted, &archived, &kept));
  for (const TableDef& table : BookkeepingTables()) {
    FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, table.name));
    if (exists) {
      FERRY_RETURN_IF_ERROR(CheckExistingTable(db, table));
    } else {
      std::string sql = CreateTableSql(table, /*without_rowid=*/true);
      FERRY_RETURN_IF_ERROR(Exec(db, sql.c_str(), "creating " + table.name));
    }
  }
  if (!recorded) {
    FERRY_RETURN_IF_ERROR(RunIgnoringCount(
        db,
        "INSERT INTO ferry_schema_history (version, checksum, applied_at, description) "
        "VALUES (?1, ?2, ?3, ?4)",
        {int64_t{kBookkeepingVersion}, BookkeepingChecksum(), NowText(),
         std::string(kBookkeepingDescription)},
        "recording the ferry_ tables' version"));
  }
  if (!counted) {
    FERRY_RETURN_IF_ERROR(Exec(db, kUnchangedDdl, "adding ferry_runs.unchanged"));
    FERRY_RETURN_IF_ERROR(RunIgnoringCount(
        db,
        "INSERT INTO ferry_schema_history (version, checksum, applied_at, description) "
        "SELECT max(version) + 1, ?1, ?2, ?3 FROM ferry_schema_history",
        {UnchangedChecksum(), NowText(), std::string(kUnchangedDescription)},
        "recording the ferry_ tables' version"));
  }
  if (!archived) {
    for (const char* statement : kArchiveDdl) {
      FERRY_RETURN_IF_ERROR(Exec(db, statement, "adding ferry_runs.archive"));
    }
    FERRY_RETURN_IF_ERROR(RunIgnoringCount(
        db,
        "INSERT INTO ferry_schema_history (version, checksum, applied_at, description) "
        "SELECT max(version) + 1, ?1, ?2, ?3 FROM ferry_schema_history",
        {ArchiveChecksum(), NowText(), std::string(kArchiveDescription)},
        "recording the ferry_ tables' version"));
  }
  if (!kept) {
    FERRY_RETURN_IF_ERROR(Exec(db, kUnitRejectsDdl, "creating ferry_unit_rejects"));
    FERRY_RETURN_IF_ERROR(RunIgnoringCount(
        db,
        "INSERT INTO ferry_schema_history (version, checksum, applied_at, description) "
        "SELECT max(version) + 1, ?1, ?2, ?3 FROM ferry_schema_history",
        {UnitRejectsChecksum(), NowText(), std::string(kUnitRejectsDescription)},
        "recording the ferry_ tables' version"));
  }
  FERRY_RETURN_IF_ERROR(txn.Commit("creating the ferry_ tables"));
  if (recorded_now != nullptr) *recorded_now = !recorded || !counted || !archived || !kept;
  return Status::OK();
}

Status CheckBookkeeping(sqlite3* db) {
  bool recorded = false;
  bool counted = false;
  bool archived = false;
  bool kept = false;
  FERRY_RETURN_IF_ERROR(CheckHistory(db, &recorded, &counted, &archived, &kept));
  for (const TableDef& table : BookkeepingTables()) {
    FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, table.name));
    if (exists) {
      FERRY_RETURN_IF_ERROR(CheckExistingTable(db, table));
    }
  }
  return Status::OK();
}

std::string NowText() {
  auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return FormatTimestampMillis(now.time_since_epoch().count());
}

Status RecordRunArchive(sqlite3* db, const std::string& run_id, const std::string& archive) {
  std::string context = "recording the backup of run " + run_id;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, context));
  if (archive.empty()) {
    FERRY_RETURN_IF_ERROR(Audit(db, run_id, kNoBackupAction, kNothingWritten));
    return txn.Commit(context);
  }
  FERRY_ASSIGN_OR_RETURN(
      int changed,
      Run(db, "UPDATE ferry_runs SET archive = ?2 WHERE run_id = ?1", {run_id, archive}, context));
  if (changed != 1) {
    return Status::Internal("run " + run_id + " is not in ferry_runs: its backup not recorded");
  }
  FERRY_RETURN_IF_ERROR(Audit(db, run_id, kBackupAction, archive));
  return txn.Commit(context);
}

Status InsertRun(sqlite3* db, const RunInfo& run) {
  std::string context = "recording run " + run.run_id;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, context));
  FERRY_RETURN_IF_ERROR(RunIgnoringCount(
      db,
      "INSERT INTO ferry_runs (run_id, started_at, finished_at, status, arguments, "
      "records_read, inserted, updated, skipped, rejected, fingerprint, host, pid, archive) "
      "VALUES (?1, ?2, NULL, 'running', ?3, 0, 0, 0, 0, 0, ?4, ?5, ?6, NULLIF(?7, '')) "
      "ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished_at = NULL, "
      "fingerprint = excluded.fingerprint, host = excluded.host, pid = excluded.pid, "
      "archive = coalesce(excluded.archive, archive)",
      {run.run_id, NowText(), run.arguments, run.fingerprint, ThisHost(), ThisPid(), run.archive},
      context));
  if (!run.archive.empty()) {
    FERRY_RETURN_IF_ERROR(Audit(db, run.run_id, kBackupAction, run.archive));
  }
  if (!run.supersedes.empty()) {
    FERRY_RETURN_IF_ERROR(
        RunIgnoringCount(db,
                         "UPDATE ferry_runs SET status = 'abandoned', finished_at = ?2 "
                         "WHERE run_id = ?1 AND status = 'running'",
                         {run.supersedes, NowText()}, context));
    FERRY_RETURN_IF_ERROR(
        Audit(db, run.supersedes, "run abandoned", "--restart: replaced by run " + run.run_id));
  }
  return txn.Commit(context);
}

Status FinishRunRow(sqlite3* db, const std::string& run_id, const RunTotals& totals) {
  std::string context = "recording the end of run " + run_id;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, context));
  FERRY_ASSIGN_OR_RETURN(
      int changed, Run(db,
                       "UPDATE ferry_runs SET finished_at = ?2, status = ?3, records_read = ?4, "
                       "inserted = ?5, updated = ?6, skipped = ?7, rejected = ?8, "
                       "unchanged = ?9 WHERE run_id = ?1",
                       {run_id, NowText(), totals.status, totals.read, totals.inserted,
                        totals.updated, totals.skipped, totals.rejected, totals.unchanged},
                       "recording the end of run " + run_id));
  if (changed == 0) {
    return Status::Internal("run " + run_id + " is not in ferry_runs: FinishRun before BeginRun");
  }
  if (!totals.error.empty()) {
    FERRY_RETURN_IF_ERROR(Audit(db, run_id, kRunErrorAction, totals.error));
  }
  return txn.Commit(context);
}

Status SaveCheckpoint(sqlite3* db, const std::string& user_id, const Checkpoint& checkpoint,
                      const std::string& run_id, const std::string& now) {
  return RunIgnoringCount(
      db,
      "INSERT INTO ferry_checkpoints (user_id, entity, unit, position, run_id, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, entity, unit) DO UPDATE SET "
      "position = excluded.position, run_id = excluded.run_id, "
      "updated_at = excluded.updated_at",
      {user_id, checkpoint.entity, checkpoint.unit, checkpoint.position, run_id, now},
      "saving the checkpoint of " + checkpoint.entity);
}

}  // namespace ferry::sqlite
