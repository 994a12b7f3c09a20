// ferry's own tables in a PostgreSQL target, in a schema of their own, "ferry":
//   ferry.schema_history  the version and checksum of these tables' definitions
//   ferry.runs            one row per run: times, status, arguments, totals
//   ferry.id_map          (user_id, target_schema, entity, legacy_id) -> ulid, content_hash,
//                         run_id
//   ferry.checkpoints     (user_id, target_schema, entity, unit) -> position of the last
//                         committed batch, the run and the process token that wrote it
//   ferry.locks           (user_id, target_schema) -> the run and process token holding that
//                         user's lock (a description of the advisory lock, the lock itself)
// target_schema is the schema the mapping's tables go to (the session's current_schema()):
// one database holds the bookkeeping of every schema ferry loads, each schema's apart.
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
#include "loaders/postgresql/bookkeeping_tables.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// The version of the bookkeeping tables this ferry creates and understands, and its
// description in ferry.schema_history (loaders/schema_history.h).
constexpr int kBookkeepingVersion = 1;
constexpr const char* kBookkeepingDescription =
    "ferry bookkeeping: runs, id map, checkpoints, locks, audit log";

// Bookkeeping 2 (docs/schema-migrations.md): target_schema in the keys of ferry.id_map,
// ferry.checkpoints and ferry.locks, and the process token (process_identity.h) in
// ferry.checkpoints, ferry.locks and ferry.runs. Recorded as its own row of
// ferry.schema_history, at the next free version, with this description and KeyedChecksum().
// A target of an older ferry is upgraded in the same transaction as any other bookkeeping DDL.
constexpr const char* kKeyedDescription =
    "ferry bookkeeping 2: id map, checkpoints and locks keyed by target schema; process tokens";

// Checksum of bookkeeping 2's statements (16 hex digits).
std::string KeyedChecksum();

// Bookkeeping 3: ferry.runs.unchanged, the rows a run found already equal to what it would
// write, counted apart from skipped. Recorded like bookkeeping 2, after it.
constexpr const char* kUnchangedDescription = "ferry bookkeeping 3: unchanged rows in ferry.runs";

// Checksum of bookkeeping 3's statements (16 hex digits).
std::string UnchangedChecksum();

// Whether ferry.runs has bookkeeping 3's column: what a read-only caller (status) must know
// before it names it.
bool RunsCountUnchanged(pqxx::transaction_base& txn);

// Bookkeeping 4: ferry.runs.archive, the id of the backup archive of the run's latest session
// (NULL: none, --no-backup). Recorded like bookkeeping 3, after it; the upgrade fills it for the
// runs already there from the audit log, where BeginRun has always written it.
constexpr const char* kArchiveDescription = "ferry bookkeeping 4: backup archive in ferry.runs";

// Checksum of bookkeeping 4's statements (16 hex digits).
std::string ArchiveChecksum();

// Bookkeeping 5: ferry.unit_rejects, the rejects of a unit loaded whole but for them, kept
// beside its mark (WriteBatch::unit_rejects). Recorded like bookkeeping 4, after it.
constexpr const char* kUnitRejectsDescription = "ferry bookkeeping 5: unit rejects";

// Checksum of bookkeeping 5's statements (16 hex digits).
std::string UnitRejectsChecksum();

// Whether ferry.runs has bookkeeping 4's column (as RunsCountUnchanged).
bool RunsHaveArchive(pqxx::transaction_base& txn);

// Serializes ferry's DDL across sessions ("ferry" in ASCII): every transaction that creates,
// drops or records a table takes it first. A transaction-level advisory lock, so it ends with
// the transaction and locks no table.
constexpr const char* kDdlLockSql = "SELECT pg_advisory_xact_lock(435711599225)";

// The statements that create the bookkeeping schema and tables (IF NOT EXISTS), in order.
const std::vector<std::string>& BookkeepingDdl();

// Checksum of BookkeepingDdl(), as stored in ferry.schema_history (16 hex digits).
std::string BookkeepingChecksum();

// Creates the missing schema and tables and records their version, then applies bookkeeping 2
// and 3 when they are not recorded (the rows already there go to the schema their entity's table is
// recorded in: bookkeeping.cc, Backfill), in one transaction that holds an advisory lock (two
// runs starting at once do not race on CREATE). Fails when the
// target's bookkeeping is of a newer ferry (InvalidArgument) or its recorded checksum differs
// (Corruption: changed outside ferry). *recorded (when given) tells whether this call recorded
// the version (false: it was recorded already).
Status EnsureBookkeeping(Session* session, bool* recorded = nullptr);

// The same checks without writing (dry-run). OK when the tables do not exist yet; sets
// *exists to whether ferry.id_map does and is keyed by schema, and *outdated (when given) to
// whether it is an older ferry's, not keyed yet: that one counts as absent, since its rows are
// attributed to schemas only by the upgrade (EnsureBookkeeping).
Status CheckBookkeeping(Session* session, bool* id_map_exists, bool* outdated = nullptr);

// Whether ferry.checkpoints exists with bookkeeping 2's columns (target_schema, token): what a
// read-only caller (status, dry-run) must know before it names them.
bool KeyedBookkeeping(pqxx::transaction_base& txn);

// Appends a row to ferry.audit_log: this process's OS user and host did `action` in `run_id`.
void Audit(pqxx::transaction_base& txn, const std::string& run_id, const std::string& action,
           const std::string& detail);

// Records the start of a run (status "running", this process's token) and an audit row; the
// same run id again resets it and makes it this process's.
Status InsertRun(Session* session, const RunInfo& run);

// Records `archive` as run_id's backup archive (Loader::RecordArchive): on its row and in the
// audit log, committed synchronously whatever the session's setting.
Status RecordRunArchive(Session* session, const std::string& run_id, const std::string& archive);

// OK while ferry.runs says this process (its token) runs `run_id`; Locked naming the other
// process when another one took the run over (it found the run interrupted while this one was
// reconnecting): this process must then write nothing more (docs/reliability.md).
Status CheckRunOwner(Session* session, const std::string& run_id);

// Records the end of a run with its totals and an audit row. Fails (Internal) when the run
// was never begun.
Status FinishRunRow(Session* session, const std::string& run_id, const RunTotals& totals);

}  // namespace ferry::postgres
