// What an SQLite target remembers of earlier runs: ferry_runs and ferry_checkpoints, read for
// a resumed run and for `ferry status`.
//
// A run recorded as "running" is reported "interrupted" when it was recorded on this host and
// its process is gone (user_lock.h, HolderAlive); a run of another host is taken as running.
// Every function reads only, and treats missing bookkeeping tables as an empty history.
//
// Thread safety: functions of one connection, used by its thread.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"

namespace ferry::sqlite {

// The checkpoint of (user, entity, unit), or nullopt.
Status ReadCheckpoint(sqlite3* db, const std::string& user_id, const std::string& entity,
                      const std::string& unit, std::optional<StoredCheckpoint>* out);

// The checkpoints last written by `run_id` (every run's when empty), by user, entity, unit.
Status ListCheckpoints(sqlite3* db, const std::string& run_id, std::vector<CheckpointRecord>* out);

// LoaderBackend::ListUserCheckpoints: up to limit + 1 of the user's checkpoints; *complete
// when there were no more than `limit`.
Status ListUserCheckpoints(sqlite3* db, const std::string& user_id, size_t limit,
                           std::vector<CheckpointRecord>* out, bool* complete);

// LoaderBackend::ListRunIdentities: a page of the ferry_id_map rows run `run_id` wrote last, by
// entity, user, legacy id (the key's order).
Status ListRunIdentities(sqlite3* db, const std::string& run_id, const RunIdentity* after,
                         size_t limit, std::vector<RunIdentity>* out);

// The newest `limit` runs (all when limit <= 0), newest first.
Status ListRuns(sqlite3* db, int limit, std::vector<RunRecord>* out);

// Fills the error of each of `runs` that failed or stopped from the audit log (the newest
// entry of kRunErrorAction for its run id).
Status AddRunErrors(sqlite3* db, std::vector<RunRecord>* runs);

// The details of `run_id`'s audit-log entries under `action`, oldest first (Loader::
// ListAuditDetails); empty without the table.
Status ListAuditDetails(sqlite3* db, const std::string& run_id, const std::string& action,
                        std::vector<std::string>* out);

// The newest interrupted run recorded with exactly `arguments`, or nullopt.
Status FindInterruptedRun(sqlite3* db, const std::string& arguments, std::optional<RunRecord>* out);

}  // namespace ferry::sqlite
