// ferry's own tables in a PostgreSQL target, in a schema of their own, "ferry":
//   ferry.schema_history  the version and checksum of these tables' definitions
//   ferry.runs            one row per run: times, status, arguments, totals
//   ferry.id_map          (user_id, entity, legacy_id) -> ulid, content_hash, run_id
//   ferry.checkpoints     (user_id, entity, unit) -> position of the last committed batch
//   ferry.locks           user_id -> the run holding that user's lock (a description of the
//                         advisory lock, which is the lock itself)
//   ferry.audit_log       who ran what, when, from which host (one row per run start and end)
// The same tables, in meaning, as the SQLite target's ferry_ ones (loaders/sqlite/
// bookkeeping.h); keys that are per user start with user_id (ARCHITECTURE.md), so that the
// tables can be distributed by user.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

constexpr const char* kBookkeepingSchema = "ferry";

// The version of the bookkeeping tables this ferry creates and understands, and its
// description in ferry.schema_history (loaders/schema_history.h).
constexpr int kBookkeepingVersion = 1;
constexpr const char* kBookkeepingDescription =
    "ferry bookkeeping: runs, id map, checkpoints, locks, audit log";

// Serializes ferry's DDL across sessions ("ferry" in ASCII): every transaction that creates,
// drops or records a table takes it first. A transaction-level advisory lock, so it ends with
// the transaction and locks no table.
constexpr const char* kDdlLockSql = "SELECT pg_advisory_xact_lock(435711599225)";

// The statements that create the bookkeeping schema and tables (IF NOT EXISTS), in order.
const std::vector<std::string>& BookkeepingDdl();

// Checksum of BookkeepingDdl(), as stored in ferry.schema_history (16 hex digits).
std::string BookkeepingChecksum();

// Creates the missing schema and tables and records their version, in one transaction that
// holds an advisory lock (two runs starting at once do not race on CREATE). Fails when the
// target's bookkeeping is of a newer ferry (InvalidArgument) or its recorded checksum differs
// (Corruption: changed outside ferry). *recorded (when given) tells whether this call recorded
// the version (false: it was recorded already).
Status EnsureBookkeeping(Session* session, bool* recorded = nullptr);

// The same checks without writing (dry-run). OK when the tables do not exist yet; sets
// *exists to whether ferry.id_map does.
Status CheckBookkeeping(Session* session, bool* id_map_exists);

// Appends a row to ferry.audit_log: this process's OS user and host did `action` in `run_id`.
void Audit(pqxx::transaction_base& txn, const std::string& run_id, const std::string& action,
           const std::string& detail);

// Records the start of a run (status "running") and an audit row; the same run id again
// resets it.
Status InsertRun(Session* session, const RunInfo& run);

// Records the end of a run with its totals and an audit row. Fails (Internal) when the run
// was never begun.
Status FinishRunRow(Session* session, const std::string& run_id, const RunTotals& totals);

}  // namespace ferry::postgres
