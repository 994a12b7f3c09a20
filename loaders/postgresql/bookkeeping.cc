#include "loaders/postgresql/bookkeeping.h"

#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string_view>

#include "base/fnv1a.h"
#include "loaders/core/bookkeeping_history.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/process_identity.h"
#include "loaders/schema_history.h"

namespace ferry::postgres {

namespace {

std::vector<std::string> MakeDdl() {
  return {
      "CREATE SCHEMA IF NOT EXISTS ferry",
      "CREATE TABLE IF NOT EXISTS ferry.schema_history (\n"
      "  version integer NOT NULL PRIMARY KEY,\n"
      "  checksum text NOT NULL,\n"
      "  applied_at timestamptz NOT NULL,\n"
      "  description text NOT NULL\n"
      ")",
      "CREATE TABLE IF NOT EXISTS ferry.runs (\n"
      "  run_id text NOT NULL PRIMARY KEY,\n"
      "  started_at timestamptz NOT NULL,\n"
      "  finished_at timestamptz,\n"
      "  status text NOT NULL,\n"
      "  arguments text NOT NULL,\n"
      "  records_read bigint NOT NULL,\n"
      "  inserted bigint NOT NULL,\n"
      "  updated bigint NOT NULL,\n"
      "  skipped bigint NOT NULL,\n"
      "  rejected bigint NOT NULL,\n"
      "  fingerprint text NOT NULL,\n"
      "  host text NOT NULL,\n"
      "  pid bigint NOT NULL\n"
      ")",
      "CREATE TABLE IF NOT EXISTS ferry.id_map (\n"
      "  user_id text NOT NULL,\n"
      "  entity text NOT NULL,\n"
      "  legacy_id text NOT NULL,\n"
      "  ulid text NOT NULL,\n"
      "  content_hash text NOT NULL,\n"
      "  run_id text NOT NULL,\n"
      "  updated_at timestamptz NOT NULL,\n"
      "  PRIMARY KEY (user_id, entity, legacy_id)\n"
      ")",
      "CREATE TABLE IF NOT EXISTS ferry.checkpoints (\n"
      "  user_id text NOT NULL,\n"
      "  entity text NOT NULL,\n"
      "  unit text NOT NULL,\n"
      "  position bigint NOT NULL,\n"
      "  run_id text NOT NULL,\n"
      "  updated_at timestamptz NOT NULL,\n"
      "  PRIMARY KEY (user_id, entity, unit)\n"
      ")",
      "CREATE TABLE IF NOT EXISTS ferry.locks (\n"
      "  user_id text NOT NULL PRIMARY KEY,\n"
      "  run_id text NOT NULL,\n"
      "  host text NOT NULL,\n"
      "  pid bigint NOT NULL,\n"
      "  since timestamptz NOT NULL\n"
      ")",
      "CREATE TABLE IF NOT EXISTS ferry.audit_log (\n"
      "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
      "  at timestamptz NOT NULL DEFAULT now(),\n"
      "  run_id text NOT NULL,\n"
      "  action text NOT NULL,\n"
      "  detail text NOT NULL,\n"
      "  os_user text NOT NULL,\n"
      "  db_user text NOT NULL DEFAULT current_user,\n"
      "  host text NOT NULL\n"
      ")",
  };
}

const char* const kTables[] = {"schema_history", "runs",  "id_map",
                               "checkpoints",    "locks", "audit_log"};

// Bookkeeping 2, in two halves around the attribution of the rows already there (Backfill).
std::vector<std::string> MakeKeyedColumnsDdl() {
  return {
      "ALTER TABLE ferry.id_map ADD COLUMN IF NOT EXISTS target_schema text",
      "ALTER TABLE ferry.checkpoints ADD COLUMN IF NOT EXISTS target_schema text,\n"
      "  ADD COLUMN IF NOT EXISTS token text NOT NULL DEFAULT ''",
      "ALTER TABLE ferry.locks ADD COLUMN IF NOT EXISTS target_schema text,\n"
      "  ADD COLUMN IF NOT EXISTS token text NOT NULL DEFAULT ''",
      "ALTER TABLE ferry.runs ADD COLUMN IF NOT EXISTS token text NOT NULL DEFAULT ''",
  };
}

std::vector<std::string> MakeKeyedKeysDdl() {
  return {
      "ALTER TABLE ferry.id_map ALTER COLUMN target_schema SET NOT NULL,\n"
      "  DROP CONSTRAINT id_map_pkey,\n"
      "  ADD PRIMARY KEY (user_id, target_schema, entity, legacy_id)",
      "ALTER TABLE ferry.checkpoints ALTER COLUMN target_schema SET NOT NULL,\n"
      "  DROP CONSTRAINT checkpoints_pkey,\n"
      "  ADD PRIMARY KEY (user_id, target_schema, entity, unit)",
      "ALTER TABLE ferry.locks ALTER COLUMN target_schema SET NOT NULL,\n"
      "  DROP CONSTRAINT locks_pkey,\n"
      "  ADD PRIMARY KEY (user_id, target_schema)",
  };
}

// Bookkeeping 3.
std::vector<std::string> MakeUnchangedDdl() {
  return {"ALTER TABLE ferry.runs ADD COLUMN IF NOT EXISTS unchanged bigint NOT NULL DEFAULT 0"};
}

// Bookkeeping 4: the column, then the archives of the runs already there, from the audit log
// (the latest "backup" entry of each: a resumed run's session makes an archive of its own).
std::vector<std::string> MakeArchiveDdl() {
  return {"ALTER TABLE ferry.runs ADD COLUMN IF NOT EXISTS archive text",
          "UPDATE ferry.runs r SET archive = (SELECT a.detail FROM ferry.audit_log a WHERE "
          "a.run_id = r.run_id AND a.action = 'backup' ORDER BY a.id DESC LIMIT 1)"};
}
static_assert(std::string_view(kBackupAction) == "backup");

// Bookkeeping 5: the rejects of a unit loaded whole but for them, beside its mark
// (agent/run/unit_rejects.h), so that a rerun gives them back without reading the unit. Keyed
// as the checkpoints are, by user first (co-located with the user's rows: docs/scale-out.md).
std::vector<std::string> MakeUnitRejectsDdl() {
  return {
      "CREATE TABLE IF NOT EXISTS ferry.unit_rejects (\n"
      "  user_id text NOT NULL,\n"
      "  target_schema text NOT NULL,\n"
      "  unit text NOT NULL,\n"
      "  position bigint NOT NULL,\n"
      "  run_id text NOT NULL,\n"
      "  body text NOT NULL,\n"
      "  updated_at timestamptz NOT NULL,\n"
      "  PRIMARY KEY (user_id, target_schema, unit)\n"
      ")"};
}

// Gives the id-map and checkpoint rows written before bookkeeping 2 the schema of their
// entity's table: the one schema_history records for that entity, the oldest when several do
// (an older ferry wrote the id map of the first schema it loaded and skipped the others'
// records as known). Rows of an entity no table records, and the lock rows, get the schema of
// the session that upgrades. Audits what went where.
void Backfill(pqxx::transaction_base& txn, const std::string& session_schema) {
  std::map<std::string, std::string> schema_of;  // entity -> schema
  pqxx::result history = txn.exec("SELECT description FROM ferry.schema_history ORDER BY version");
  for (const auto& row : history) {
    std::optional<std::vector<std::string>> name = CreatedTableName(row[0].c_str());
    std::optional<std::string> entity = CreatedTableEntity(row[0].c_str());
    if (name && name->size() == 2 && entity) schema_of.emplace(*entity, name->front());
  }
  std::string detail;
  for (const auto& [entity, schema] : schema_of) {
    int64_t rows = 0;
    for (const char* table : {"ferry.id_map", "ferry.checkpoints"}) {
      rows += txn.exec_params(std::string("UPDATE ") + table +
                                  " SET target_schema = $2 WHERE entity = $1 AND "
                                  "target_schema IS NULL",
                              entity, schema)
                  .affected_rows();
    }
    if (rows > 0) {
      detail += (detail.empty() ? "" : "; ") + std::string("entity ") + entity + ": " +
                std::to_string(rows) + " row(s) to schema " + schema;
    }
  }
  int64_t rest = 0;
  for (const char* table : {"ferry.id_map", "ferry.checkpoints", "ferry.locks"}) {
    rest += txn.exec_params(std::string("UPDATE ") + table +
                                " SET target_schema = $1 WHERE target_schema IS NULL",
                            session_schema)
                .affected_rows();
  }
  if (rest > 0) {
    detail += (detail.empty() ? "" : "; ") + std::string("other rows: ") + std::to_string(rest) +
              " to schema " + session_schema;
  }
  Audit(txn, "", "bookkeeping upgraded",
        std::string(kKeyedDescription) + (detail.empty() ? "" : " (" + detail + ")"));
}

// Fails when ferry.schema_history says these tables are newer or other than ours; sets
// *recorded when it holds our version 1, *keyed when it holds bookkeeping 2, *counted when it
// holds bookkeeping 3, *archived when it holds bookkeeping 4 and *kept when it holds 5. The rows of
// mapping tables (schema_migrations.h) are not the bookkeeping's and are left to `ferry schema`; a
// row of neither kind is a newer ferry's. REQUIRES: the table exists.
Status CheckHistory(pqxx::transaction_base& txn, bool* recorded, bool* keyed, bool* counted,
                    bool* archived, bool* kept) {
  ExpectedBookkeeping expected;
  expected.history_table = "ferry.schema_history";
  expected.version = kBookkeepingVersion;
  expected.checksum = BookkeepingChecksum();
  expected.steps = {{kKeyedDescription, KeyedChecksum()},
                    {kUnchangedDescription, UnchangedChecksum()},
                    {kArchiveDescription, ArchiveChecksum()},
                    {kUnitRejectsDescription, UnitRejectsChecksum()}};
  expected.version_changed_hint =
      " (the ferry schema was changed outside ferry; restore it or record the new checksum by "
      "hand once you are sure)";
  expected.step_changed_hint = " (the ferry schema was changed outside ferry)";
  std::vector<HistoryRow> rows;
  for (const auto& row : txn.exec(
           "SELECT version, checksum, description FROM ferry.schema_history ORDER BY version")) {
    rows.push_back({row[0].as<int64_t>(), row[1].c_str(), "", row[2].c_str()});
  }
  std::vector<bool> steps;
  FERRY_RETURN_IF_ERROR(CheckBookkeepingHistory(rows, expected, recorded, &steps));
  *keyed = steps[0];
  *counted = steps[1];
  *archived = steps[2];
  *kept = steps[3];
  return Status::OK();
}

}  // namespace

void Audit(pqxx::transaction_base& txn, const std::string& run_id, const std::string& action,
           const std::string& detail) {
  txn.exec_params(std::string("INSERT INTO ") + kAuditLogTable + " (" + kAuditLogColumns +
                      ") VALUES ($1, $2, $3, $4, $5)",
                  run_id, action, detail, ThisOsUser(), ThisHost());
}

bool KeyedBookkeeping(pqxx::transaction_base& txn) {
  return txn
      .exec1(
          "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
          "to_regclass('ferry.checkpoints') AND attname = 'token' AND NOT attisdropped)")[0]
      .as<bool>();
}

bool RunsCountUnchanged(pqxx::transaction_base& txn) {
  return txn
      .exec1(
          "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
          "to_regclass('ferry.runs') AND attname = 'unchanged' AND NOT attisdropped)")[0]
      .as<bool>();
}

bool RunsHaveArchive(pqxx::transaction_base& txn) {
  return txn
      .exec1(
          "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
          "to_regclass('ferry.runs') AND attname = 'archive' AND NOT attisdropped)")[0]
      .as<bool>();
}

const std::vector<std::string>& BookkeepingDdl() {
  static const std::vector<std::string> ddl = MakeDdl();
  return ddl;
}

std::string BookkeepingChecksum() {
  Fnv1a64 hash;  // drift detection, not security
  for (const std::string& statement : BookkeepingDdl()) hash.Add(statement);
  return hash.Hex();
}

std::string KeyedChecksum() {
  Fnv1a64 hash;
  for (const std::string& statement : MakeKeyedColumnsDdl()) hash.Add(statement);
  for (const std::string& statement : MakeKeyedKeysDdl()) hash.Add(statement);
  return hash.Hex();
}

std::string UnchangedChecksum() {
  Fnv1a64 hash;
  for (const std::string& statement : MakeUnchangedDdl()) hash.Add(statement);
  return hash.Hex();
}

std::string ArchiveChecksum() {
  Fnv1a64 hash;
  for (const std::string& statement : MakeArchiveDdl()) hash.Add(statement);
  return hash.Hex();
}

std::string UnitRejectsChecksum() {
  Fnv1a64 hash;
  for (const std::string& statement : MakeUnitRejectsDdl()) hash.Add(statement);
  return hash.Hex();
}

Status EnsureBookkeeping(Session* session, bool* recorded_now) {
  if (recorded_now != nullptr) *recorded_now = false;
  return Guarded(
      "creating the ferry schema in " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::work txn(session->connection());
        txn.exec(kDdlLockSql);
        FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(txn, kBookkeepingSchema, "schema_history"));
        bool recorded = false;
        bool keyed = false;
        bool counted = false;
        bool archived = false;
        bool kept = false;
        if (exists) {
          FERRY_RETURN_IF_ERROR(CheckHistory(txn, &recorded, &keyed, &counted, &archived, &kept));
        }
        bool all_exist = true;
        for (const char* table : kTables) {
          FERRY_ASSIGN_OR_RETURN(bool present, TableExists(txn, kBookkeepingSchema, table));
          all_exist = all_exist && present;
        }
        // Only when something is missing: CREATE ... IF NOT EXISTS still needs the
        // CREATE privilege, which a loading role may rightly lack.
        if (!all_exist) {
          for (const std::string& statement : BookkeepingDdl()) {
            txn.exec0(statement);
          }
        }
        if (!recorded) {
          txn.exec_params(
              "INSERT INTO ferry.schema_history (version, checksum, applied_at, "
              "description) VALUES ($1, $2, now(), $3)",
              kBookkeepingVersion, BookkeepingChecksum(), kBookkeepingDescription);
        }
        if (!keyed) {
          for (const std::string& statement : MakeKeyedColumnsDdl()) txn.exec0(statement);
          Backfill(txn, session->schema());
          for (const std::string& statement : MakeKeyedKeysDdl()) txn.exec0(statement);
          txn.exec_params(
              "INSERT INTO ferry.schema_history (version, checksum, applied_at, description) "
              "SELECT max(version) + 1, $1, now(), $2 FROM ferry.schema_history",
              KeyedChecksum(), kKeyedDescription);
        }
        if (!counted) {
          for (const std::string& statement : MakeUnchangedDdl()) txn.exec0(statement);
          txn.exec_params(
              "INSERT INTO ferry.schema_history (version, checksum, applied_at, description) "
              "SELECT max(version) + 1, $1, now(), $2 FROM ferry.schema_history",
              UnchangedChecksum(), kUnchangedDescription);
        }
        if (!archived) {
          for (const std::string& statement : MakeArchiveDdl()) txn.exec0(statement);
          txn.exec_params(
              "INSERT INTO ferry.schema_history (version, checksum, applied_at, description) "
              "SELECT max(version) + 1, $1, now(), $2 FROM ferry.schema_history",
              ArchiveChecksum(), kArchiveDescription);
        }
        if (!kept) {
          for (const std::string& statement : MakeUnitRejectsDdl()) txn.exec0(statement);
          txn.exec_params(
              "INSERT INTO ferry.schema_history (version, checksum, applied_at, description) "
              "SELECT max(version) + 1, $1, now(), $2 FROM ferry.schema_history",
              UnitRejectsChecksum(), kUnitRejectsDescription);
        }
        txn.commit();
        if (recorded_now != nullptr) {
          *recorded_now = !recorded || !keyed || !counted || !archived || !kept;
        }
        return Status::OK();
      });
}

Status CheckBookkeeping(Session* session, bool* id_map_exists, bool* outdated) {
  *id_map_exists = false;
  if (outdated != nullptr) *outdated = false;
  bool keyed = false;
  return Guarded(
      "reading the ferry schema of " + session->display_name(), session->secrets(),
      [&]() -> Status {
        pqxx::read_transaction txn(session->connection());
        FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(txn, kBookkeepingSchema, "schema_history"));
        if (exists) {
          bool recorded = false;
          bool counted = false;
          bool archived = false;
          bool kept = false;
          FERRY_RETURN_IF_ERROR(CheckHistory(txn, &recorded, &keyed, &counted, &archived, &kept));
        }
        for (const char* table : kTables) {
          FERRY_ASSIGN_OR_RETURN(bool present, TableExists(txn, kBookkeepingSchema, table));
          if (std::string(table) == "id_map") {
            *id_map_exists = present;
          }
        }
        if (*id_map_exists && !keyed) {
          // An older ferry's id map, not yet keyed by schema: which of its rows are this
          // schema's is decided by the upgrade, which a read-only caller does not make.
          *id_map_exists = false;
          if (outdated != nullptr) *outdated = true;
        }
        return Status::OK();
      });
}

Status InsertRun(Session* session, const RunInfo& run) {
  return Guarded("recording run " + run.run_id, session->secrets(), [&]() -> Status {
    pqxx::work txn(session->connection());
    txn.exec_params(
        "INSERT INTO ferry.runs (run_id, started_at, finished_at, status, arguments, "
        "records_read, inserted, updated, skipped, rejected, fingerprint, host, pid, token, "
        "archive) VALUES ($1, now(), NULL, 'running', $2, 0, 0, 0, 0, 0, $3, $4, $5, $6, "
        "NULLIF($7, '')) ON CONFLICT (run_id) DO UPDATE SET status = 'running', "
        "finished_at = NULL, fingerprint = excluded.fingerprint, host = excluded.host, "
        "pid = excluded.pid, token = excluded.token, "
        "archive = coalesce(excluded.archive, ferry.runs.archive)",
        run.run_id, run.arguments, run.fingerprint, ThisHost(), ThisPid(), ProcessToken(),
        run.archive);
    Audit(txn, run.run_id, "run started", run.arguments);
    if (!run.archive.empty()) Audit(txn, run.run_id, kBackupAction, run.archive);
    if (!run.supersedes.empty()) {
      txn.exec_params(
          "UPDATE ferry.runs SET status = 'abandoned', finished_at = now() "
          "WHERE run_id = $1 AND status = 'running'",
          run.supersedes);
      Audit(txn, run.supersedes, "run abandoned", "--restart: replaced by run " + run.run_id);
    }
    txn.commit();
    return Status::OK();
  });
}

Status RecordRunArchive(Session* session, const std::string& run_id, const std::string& archive) {
  return Guarded("recording the backup of run " + run_id, session->secrets(), [&]() -> Status {
    pqxx::work txn(session->connection());
    txn.exec("SET LOCAL synchronous_commit = on");
    if (archive.empty()) {
      Audit(txn, run_id, kNoBackupAction, kNothingWritten);
      txn.commit();
      return Status::OK();
    }
    pqxx::result updated =
        txn.exec_params("UPDATE ferry.runs SET archive = $2 WHERE run_id = $1", run_id, archive);
    if (updated.affected_rows() != 1) {
      return Status::Internal("run " + run_id + " is not in ferry.runs: its backup not recorded");
    }
    Audit(txn, run_id, kBackupAction, archive);
    txn.commit();
    return Status::OK();
  });
}

Status CheckRunOwner(Session* session, const std::string& run_id) {
  return Guarded("reading run " + run_id, session->secrets(), [&]() -> Status {
    pqxx::read_transaction txn(session->connection());
    pqxx::result rows =
        txn.exec_params("SELECT token, host, pid FROM ferry.runs WHERE run_id = $1", run_id);
    if (rows.empty() || rows[0][0].c_str() == ProcessToken()) {
      return Status::OK();  // never recorded (an attached loader's first session): nothing to lose
    }
    return Status::Locked("run " + run_id + " was taken over by another ferry process (host " +
                          rows[0][1].c_str() + ", pid " + rows[0][2].c_str() +
                          ") while this one was cut off from " + session->display_name() +
                          "; this process stops without writing anything more");
  });
}

Status FinishRunRow(Session* session, const std::string& run_id, const RunTotals& totals) {
  return Guarded("recording the end of run " + run_id, session->secrets(), [&]() -> Status {
    pqxx::work txn(session->connection());
    pqxx::result changed = txn.exec_params(
        "UPDATE ferry.runs SET finished_at = now(), status = $2, records_read = $3, "
        "inserted = $4, updated = $5, skipped = $6, rejected = $7, unchanged = $8 "
        "WHERE run_id = $1",
        run_id, totals.status, totals.read, totals.inserted, totals.updated, totals.skipped,
        totals.rejected, totals.unchanged);
    if (changed.affected_rows() == 0) {
      return Status::Internal("run " + run_id + " is not in ferry.runs: FinishRun before BeginRun");
    }
    Audit(txn, run_id, "run finished", totals.status);
    if (!totals.error.empty()) Audit(txn, run_id, kRunErrorAction, totals.error);
    txn.commit();
    return Status::OK();
  });
}

}  // namespace ferry::postgres
