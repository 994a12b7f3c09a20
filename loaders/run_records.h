// What a target records of its runs, read back by `ferry status`, `validate`, `rollback` and
// `schema`: the run history, checkpoints, lock holders and schema migrations (Loader's
// List*/Read* methods return them). Plain values, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ferry {

// What the target recorded of a batch's checkpoint (Loader::ReadCheckpoint).
struct StoredCheckpoint {
  std::string run_id;
  int64_t position = 0;
  // The process token (process_identity.h) of the process that wrote it; empty on a target
  // that records none (SQLite: one process at a time per file, and a run is taken over only
  // once its process is gone, so the run id names the process).
  std::string token = {};
};

// What the target keeps of a unit's rejects beside its mark (WriteBatch::unit_rejects): the
// mark's position and run, and the body (agent/run/unit_rejects.h).
struct StoredUnitRejects {
  std::string run_id;
  int64_t position = 0;
  std::string body;
};

// A unit's mark (loaders/unit_mark.h) and what it kept beside it, as Loader::ReadUnitMarks
// reads them: what ReadCheckpoint(user_id, kUnitDoneEntity, unit) and ReadUnitRejects(user_id,
// unit) give.
struct StoredUnitMark {
  std::string user_id;
  std::string unit;
  StoredCheckpoint mark;
  std::optional<StoredUnitRejects> kept;  // nullopt: nothing kept (or left out, below)
  // Something is kept but its body is longer than the read asked for: read it alone.
  bool kept_left_out = false;
};

// One row of the target's checkpoints (Loader::ListCheckpoints): where a unit of a user's
// entity has got to, and which run wrote it last.
struct CheckpointRecord {
  std::string user_id;
  std::string entity;
  std::string unit;
  int64_t position = 0;
  std::string run_id;
  std::string updated_at;  // RFC 3339
};

// The holder of a (target, user) lock, as the run that took it recorded itself.
struct LockHolder {
  std::string user_id;
  std::string run_id;
  std::string host;
  int64_t pid = 0;
  std::string since;  // RFC 3339
  bool alive = true;  // false when the target can tell the holder is gone (a stale lock)
};

// The audit-log action under which FinishRun records RunTotals::error.
inline constexpr char kRunErrorAction[] = "run error";
// The audit-log action under which BeginRun records RunInfo::archive.
inline constexpr char kBackupAction[] = "backup";
// The audit-log action under which Loader::RecordArchive("") records that a session of the
// run made no archive because it wrote nothing (detail kNothingWritten): what lets `ferry
// rollback` mark such a run rolled back without an archive.
inline constexpr char kNoBackupAction[] = "no backup";
inline constexpr char kNothingWritten[] = "nothing written";

// One row of the target's run history (ferry.runs / ferry_runs).
struct RunRecord {
  std::string run_id;
  std::string started_at;
  std::string finished_at;  // empty while running or after an interruption
  // "running" (its process is alive), "interrupted" (recorded as running, but its process is
  // gone), or the status it finished with ("completed", "completed_with_rejects", "failed",
  // "stopped").
  std::string status;
  std::string arguments;
  std::string fingerprint;
  std::string host;
  int64_t pid = 0;
  int64_t read = 0, inserted = 0, updated = 0, skipped = 0, rejected = 0;
  // Why it ended as it did (failed, stopped), secrets removed, as FinishRun recorded it (in the
  // audit log, action "run error"); empty for a run that completed or has not finished.
  std::string error = {};
  // Rows already equal to what the run would write (0 for runs of a ferry that did not count
  // them apart: their skipped holds them).
  int64_t unchanged = 0;
  // The id of the backup archive of its latest session (RunInfo::archive); empty: none
  // (--no-backup, a dry run, a rekey) or a target whose bookkeeping predates the column.
  std::string archive = {};
};

// One versioned, checksummed migration of the target's schema (`ferry schema`,
// docs/schema-migrations.md): version 1 creates ferry's bookkeeping tables, each later one a
// table of a mapping.
struct SchemaMigration {
  enum class State {
    kApplied,  // recorded, and the target matches it
    kPending,  // not recorded yet
    kChanged,  // recorded with another checksum than this ferry and mapping render
    kMissing,  // recorded, but its table is no longer in the target
  };
  int version = 0;  // 0 while pending and not yet numbered (but 1 for the bookkeeping)
  std::string description;
  std::string table;              // the mapping table it creates, quoted; empty: bookkeeping
  std::string checksum;           // of the statements as this ferry would run them
  std::string recorded_checksum;  // as schema_history holds it; empty while pending
  std::string applied_at;         // empty while pending
  State state = State::kPending;
  bool exists = false;  // the table is in the target (pending: applying it only records it)
  // Recorded as an adoption (`adopt table ...`): the table was the application's, and `schema
  // down` forgets the record without dropping it.
  bool adopted = false;
  // Why the table in the target cannot take the mapping's rows (adoption refused), or empty.
  std::string refusal;
  // False for a recorded table that the given mapping does not have (another mapping's): its
  // checksum is the recorded one, unchecked.
  bool in_mapping = true;
};

// True when `run` ended otherwise than completed (failed, stopped, interrupted, abandoned): the
// runs whose recorded error (kRunErrorAction) is theirs, not an earlier attempt's that a resume
// then completed.
bool EndedWithError(const RunRecord& run);

struct RunTotals {
  std::string status;  // "completed", "failed", "completed_with_rejects"
  int64_t read = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t skipped = 0;
  int64_t rejected = 0;
  std::string error = {};  // why the run failed or stopped, secrets removed; empty otherwise
  int64_t unchanged = 0;   // rows already equal to what would be written; not in skipped
};

// A row whose reference names no row of the table it references (Loader::FindDanglingReferences).
struct DanglingReference {
  std::string key;    // the row's primary-key cells as text, joined by ", "
  std::string value;  // the reference's value, as text
};

}  // namespace ferry
