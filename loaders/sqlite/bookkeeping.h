// ferry's own tables in an SQLite target, all prefixed "ferry_":
//   ferry_schema_history  the version and checksum of these tables' definitions
//   ferry_runs            one row per run: times, status, arguments, totals
//   ferry_id_map          (entity, user_id, legacy_id) -> ulid, content_hash, run_id
//   ferry_checkpoints     (user_id, entity, unit) -> position of the last committed batch
//   ferry_locks           user_id -> the run holding that user's lock (run, host, pid, since)
//   ferry_audit_log       who did what, when, from which host (runs, forced unlocks)
// A resumed run finds where it got to with
//   SELECT position FROM ferry_checkpoints WHERE user_id=? AND entity=? AND unit=?
// since each batch upserts that row in the transaction that holds the batch's rows.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/row.h"
#include "base/status.h"
#include "loaders/loader.h"

namespace ferry::sqlite {

// The bookkeeping tables every statement on them names (and loaders/bookkeeping_sql.h gives to
// SQL written outside the loader), and the columns an id-map and an audit-log row are written
// with, in this order.
constexpr const char* kRunsTable = "ferry_runs";
constexpr const char* kIdMapTable = "ferry_id_map";
constexpr const char* kAuditLogTable = "ferry_audit_log";
constexpr const char* kIdMapColumns =
    "entity, user_id, legacy_id, ulid, content_hash, run_id, updated_at";
constexpr const char* kAuditLogColumns = "at, run_id, action, detail, os_user, host";

// The version of the bookkeeping tables this ferry creates and understands, and its
// description in ferry_schema_history (loaders/schema_history.h).
constexpr int kBookkeepingVersion = 1;
constexpr const char* kBookkeepingDescription =
    "ferry bookkeeping: runs, id map, checkpoints, locks, audit log";

// Bookkeeping 2 (docs/schema-migrations.md): ferry_runs.unchanged, the rows a run found already
// equal to what it would write, counted apart from skipped. Recorded as its own row of
// ferry_schema_history, at the next free version, with this description and
// UnchangedChecksum(); a target of an older ferry is upgraded by EnsureBookkeeping.
constexpr const char* kUnchangedDescription = "ferry bookkeeping 2: unchanged rows in ferry_runs";

// Checksum of bookkeeping 2's statement (16 hex digits).
std::string UnchangedChecksum();

// Bookkeeping 3: ferry_runs.archive, the id of the backup archive of the run's latest session
// (NULL: none, --no-backup). Recorded like bookkeeping 2, after it; the upgrade fills it for
// the runs already there from the audit log, where BeginRun has always written it.
constexpr const char* kArchiveDescription = "ferry bookkeeping 3: backup archive in ferry_runs";

// Checksum of bookkeeping 3's statements (16 hex digits).
std::string ArchiveChecksum();

// Bookkeeping 4: ferry_unit_rejects, the rejects of a unit loaded whole but for them, kept
// beside its mark (WriteBatch::unit_rejects). Recorded like bookkeeping 3, after it.
constexpr const char* kUnitRejectsDescription = "ferry bookkeeping 4: unit rejects";

// Checksum of bookkeeping 4's statements (16 hex digits).
std::string UnitRejectsChecksum();

// The bookkeeping tables' definitions (created WITHOUT ROWID), as version 1 has them.
const std::vector<TableDef>& BookkeepingTables();

// Checksum of the bookkeeping DDL, as stored in ferry_schema_history (16 hex digits).
std::string BookkeepingChecksum();

// True for names the target keeps for ferry ("ferry_...") or SQLite ("sqlite_..."), ignoring
// case: a mapping may not write into them.
bool IsReservedTableName(std::string_view name);

// Creates the missing bookkeeping tables and records their version, then applies bookkeeping 2
// and 3 when they are not recorded, in one transaction.
// Fails when the target's bookkeeping is of a newer ferry (InvalidArgument), was changed
// outside ferry (Corruption), or an existing table lacks a column (InvalidArgument).
// *recorded (when given) tells whether this call recorded a version (false: all were already).
Status EnsureBookkeeping(sqlite3* db, bool* recorded = nullptr);

// The same checks without writing (dry-run); OK when the tables do not exist yet.
Status CheckBookkeeping(sqlite3* db);

// The current time as stored in the bookkeeping tables ("2024-01-02T03:04:05.678Z").
std::string NowText();

// Records the start of a run (status "running"); starting the same run id again resets it.
Status InsertRun(sqlite3* db, const RunInfo& run);

// Records `archive` as run_id's backup archive (Loader::RecordArchive): on its row and in the
// audit log.
Status RecordRunArchive(sqlite3* db, const std::string& run_id, const std::string& archive);

// Records the end of a run with its totals. Fails (Internal) when the run was never begun.
Status FinishRunRow(sqlite3* db, const std::string& run_id, const RunTotals& totals);

// Upserts the checkpoint of (user_id, checkpoint.entity, checkpoint.unit).
Status SaveCheckpoint(sqlite3* db, const std::string& user_id, const Checkpoint& checkpoint,
                      const std::string& run_id, const std::string& now);

}  // namespace ferry::sqlite
