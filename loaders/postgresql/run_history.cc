#include "loaders/postgresql/run_history.h"

#include <map>
#include <pqxx/pqxx>

#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/field_text.h"
#include "loaders/postgresql/pg_error.h"

namespace ferry::postgres {

namespace {

// A timestamptz as RFC 3339 text in UTC; NULL stays NULL.
std::string TimeText(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

// The columns of a RunRecord, in its order. A 'running' run without a session named after it
// and the process token that last began it (user_lock.h: "ferry run <id> <token>", which the
// server cuts to 63 bytes) is interrupted; before bookkeeping 2, without a session named
// "ferry run <id>".
std::string RunColumns(pqxx::transaction_base& txn) {
  bool keyed = KeyedBookkeeping(txn);
  std::string name = keyed ? "left('ferry run ' || r.run_id || ' ' || r.token, 63)"
                           : "left('ferry run ' || r.run_id, 63)";
  return "r.run_id, " + TimeText("r.started_at") + " AS started_at, " + TimeText("r.finished_at") +
         " AS finished_at, CASE WHEN r.status = 'running' AND NOT EXISTS (SELECT 1 FROM "
         "pg_stat_activity a "
         "WHERE a.datname = current_database() "
         "AND a.application_name = " +
         name +
         ") "
         "THEN 'interrupted' ELSE r.status END AS status, "
         "r.arguments, r.fingerprint, r.host, r.pid, r.records_read, r.inserted, r.updated, "
         "r.skipped, r.rejected, " +
         (RunsCountUnchanged(txn) ? "r.unchanged" : "0::bigint AS unchanged") +
         (RunsHaveArchive(txn) ? ", r.archive" : ", NULL::text AS archive");
}

RunRecord RunOf(const pqxx::row& row) {
  RunRecord run;
  run.run_id = FieldText(row[0]);
  run.started_at = FieldText(row[1]);
  run.finished_at = FieldText(row[2]);
  run.status = FieldText(row[3]);
  run.arguments = FieldText(row[4]);
  run.fingerprint = FieldText(row[5]);
  run.host = FieldText(row[6]);
  run.pid = row[7].as<int64_t>();
  run.read = row[8].as<int64_t>();
  run.inserted = row[9].as<int64_t>();
  run.updated = row[10].as<int64_t>();
  run.skipped = row[11].as<int64_t>();
  run.rejected = row[12].as<int64_t>();
  run.unchanged = row[13].as<int64_t>();
  run.archive = FieldText(row[14]);
  return run;
}

bool BookkeepingTableExists(pqxx::transaction_base& txn, const char* name) {
  return txn.exec_params1("SELECT to_regclass($1) IS NOT NULL", std::string("ferry.") + name)[0]
      .as<bool>();
}

// Runs `body(txn)` in a read transaction unless ferry.<table> does not exist.
template <typename Body>
Status ReadIfExists(Session* session, const char* table, Body&& body) {
  std::string context = "reading ferry.";
  context.append(table).append(" of ").append(session->display_name());
  return Guarded(context, session->secrets(), [&]() -> Status {
    pqxx::read_transaction txn(session->connection());
    if (!BookkeepingTableExists(txn, table)) {
      return Status::OK();
    }
    body(txn);
    return Status::OK();
  });
}

}  // namespace

Status ReadKeyedCheckpoints(Session* session, const std::string& context,
                            const std::function<void(pqxx::transaction_base&)>& read,
                            CheckpointsTable* found) {
  *found = CheckpointsTable::kKeyed;
  if (session->keyed_checkpoints_seen()) {
    // Read a few times per user: one statement, no transaction around it (issue 19).
    return Guarded(context, session->secrets(), [&]() -> Status {
      pqxx::nontransaction txn(session->connection());
      read(txn);
      return Status::OK();
    });
  }
  return Guarded(context, session->secrets(), [&]() -> Status {
    pqxx::read_transaction txn(session->connection());
    if (!BookkeepingTableExists(txn, "checkpoints")) {
      *found = CheckpointsTable::kMissing;
      return Status::OK();
    }
    if (!KeyedBookkeeping(txn)) {
      *found = CheckpointsTable::kOlder;
      return Status::OK();
    }
    session->NoteKeyedCheckpoints();
    read(txn);
    return Status::OK();
  });
}

Status ReadCheckpoint(Session* session, const std::string& user_id, const std::string& entity,
                      const std::string& unit, std::optional<StoredCheckpoint>* out) {
  out->reset();
  auto read = [&](pqxx::transaction_base& txn) {
    pqxx::result rows = txn.exec_params(
        "SELECT run_id, position, token FROM ferry.checkpoints "
        "WHERE user_id = $1 AND target_schema = $4 AND entity = $2 AND unit = $3",
        user_id, entity, unit, session->schema());
    if (!rows.empty()) {
      StoredCheckpoint stored{FieldText(rows[0][0]), rows[0][1].as<int64_t>()};
      stored.token = FieldText(rows[0][2]);
      *out = std::move(stored);
    }
  };
  CheckpointsTable found;
  return ReadKeyedCheckpoints(session, "reading ferry.checkpoints of " + session->display_name(),
                              read, &found);
}

Status ListUserCheckpoints(Session* session, const std::string& user_id, size_t limit,
                           std::vector<CheckpointRecord>* out, bool* complete) {
  out->clear();
  *complete = false;
  if (!session->keyed_checkpoints_seen()) {
    return Status::OK();  // not known keyed by schema yet: ReadCheckpoint finds out, once
  }
  // One statement, no transaction around it, as ReadCheckpoint's (issue 19).
  return Guarded("reading ferry.checkpoints of " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   pqxx::nontransaction txn(session->connection());
                   pqxx::result rows = txn.exec_params(
                       "SELECT entity, unit, position, run_id FROM ferry.checkpoints "
                       "WHERE user_id = $1 AND target_schema = $2 LIMIT $3",
                       user_id, session->schema(), static_cast<int64_t>(limit) + 1);
                   for (const auto& row : rows) {
                     out->push_back(CheckpointRecord{user_id, FieldText(row[0]), FieldText(row[1]),
                                                     row[2].as<int64_t>(), FieldText(row[3]), ""});
                   }
                   *complete = out->size() <= limit;
                   return Status::OK();
                 });
}

Status ListCheckpoints(Session* session, const std::string& run_id,
                       std::vector<CheckpointRecord>* out) {
  out->clear();
  return ReadIfExists(session, "checkpoints", [&](pqxx::transaction_base& txn) {
    // This schema's only (all of them before bookkeeping 2 keyed them by schema).
    std::string sql = "SELECT user_id, entity, unit, position, run_id, " + TimeText("updated_at") +
                      " FROM ferry.checkpoints WHERE ($1 = '' OR run_id = $1)";
    const char* order = " ORDER BY user_id, entity, unit";
    pqxx::result rows =
        KeyedBookkeeping(txn)
            ? txn.exec_params(sql + " AND target_schema = $2" + order, run_id, session->schema())
            : txn.exec_params(sql + order, run_id);
    for (const auto& row : rows) {
      out->push_back(CheckpointRecord{FieldText(row[0]), FieldText(row[1]), FieldText(row[2]),
                                      row[3].as<int64_t>(), FieldText(row[4]), FieldText(row[5])});
    }
  });
}

Status ListRunIdentities(Session* session, const std::string& run_id, const RunIdentity* after,
                         size_t limit, std::vector<RunIdentity>* out) {
  out->clear();
  return ReadIfExists(session, "id_map", [&](pqxx::transaction_base& txn) {
    // Keyset pages along the primary key (user_id, target_schema, entity, legacy_id): each page
    // starts where the last ended, so the pages together read the schema's rows once.
    const std::string columns =
        "SELECT user_id, entity, legacy_id, ulid FROM ferry.id_map WHERE run_id = $1 AND "
        "target_schema = $2 ";
    const std::string page =
        " ORDER BY user_id, target_schema, entity, legacy_id LIMIT " + std::to_string(limit);
    pqxx::result rows =
        after == nullptr ? txn.exec_params(columns + page, run_id, session->schema())
                         : txn.exec_params(columns +
                                               "AND (user_id, target_schema, entity, legacy_id) > "
                                               "($3, $2, $4, $5)" +
                                               page,
                                           run_id, session->schema(), after->user_id, after->entity,
                                           after->legacy_id);
    for (const auto& row : rows) {
      out->push_back(
          RunIdentity{FieldText(row[0]), FieldText(row[1]), FieldText(row[2]), FieldText(row[3])});
    }
  });
}

Status ListRuns(Session* session, int limit, std::vector<RunRecord>* out) {
  out->clear();
  return ReadIfExists(session, "runs", [&](pqxx::transaction_base& txn) {
    std::string sql = "SELECT " + RunColumns(txn) +
                      " FROM ferry.runs r ORDER BY r.started_at DESC, r.run_id DESC";
    if (limit > 0) {
      sql += " LIMIT " + std::to_string(limit);
    }
    for (const auto& row : txn.exec(sql)) {
      out->push_back(RunOf(row));
    }
  });
}

Status FindInterruptedRun(Session* session, const std::string& arguments,
                          std::optional<RunRecord>* out) {
  out->reset();
  return ReadIfExists(session, "runs", [&](pqxx::transaction_base& txn) {
    pqxx::result rows = txn.exec_params(
        "SELECT * FROM (SELECT " + RunColumns(txn) +
            " FROM ferry.runs r WHERE r.arguments = $1 AND r.status = 'running') found "
            "WHERE found.status = 'interrupted' ORDER BY found.started_at DESC, "
            "found.run_id DESC LIMIT 1",
        arguments);
    if (!rows.empty()) {
      *out = RunOf(rows[0]);
    }
  });
}

Status AddRunErrors(Session* session, std::vector<RunRecord>* runs) {
  return ReadIfExists(session, "audit_log", [&](pqxx::transaction_base& txn) {
    std::map<std::string, std::string> errors;  // run id -> its newest error
    for (const auto& row : txn.exec_params(
             "SELECT run_id, detail FROM ferry.audit_log WHERE action = $1 ORDER BY at, id",
             std::string(kRunErrorAction))) {
      errors[FieldText(row[0])] = FieldText(row[1]);
    }
    for (RunRecord& run : *runs) {
      auto found = errors.find(run.run_id);
      if (found != errors.end() && EndedWithError(run)) run.error = found->second;
    }
  });
}

Status ListAuditDetails(Session* session, const std::string& run_id, const std::string& action,
                        std::vector<std::string>* out) {
  return ReadIfExists(session, "audit_log", [&](pqxx::transaction_base& txn) {
    for (const auto& row : txn.exec_params(
             "SELECT detail FROM ferry.audit_log WHERE run_id = $1 AND action = $2 ORDER BY at, id",
             run_id, action)) {
      out->push_back(FieldText(row[0]));
    }
  });
}

}  // namespace ferry::postgres
