// What a PostgreSQL target remembers of earlier runs: ferry.runs and ferry.checkpoints, read
// for a resumed run and for `ferry status`.
//
// A run recorded as "running" is reported "interrupted" when no session of the server has its
// application_name (user_lock.h, RunApplicationName): its process or connection is gone.
// Every function reads only, and treats missing bookkeeping tables as an empty history.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <functional>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// How ReadKeyedCheckpoints found ferry.checkpoints.
enum class CheckpointsTable { kKeyed, kMissing, kOlder };

// Runs `read` on ferry.checkpoints when it is keyed by schema: in one statement without a
// transaction around it once the session knows so (issue 19), else in a read transaction that
// finds out first (once per session). `read` is not run when the table is missing, or is an
// older ferry's (read only by a dry run: upgraded, and then read, by a run); *found says which.
// `context` names the read in errors.
Status ReadKeyedCheckpoints(Session* session, const std::string& context,
                            const std::function<void(pqxx::transaction_base&)>& read,
                            CheckpointsTable* found);

// The checkpoint of (user, entity, unit), or nullopt.
Status ReadCheckpoint(Session* session, const std::string& user_id, const std::string& entity,
                      const std::string& unit, std::optional<StoredCheckpoint>* out);

// LoaderBackend::ListUserCheckpoints: up to limit + 1 of the user's checkpoints of the
// session's schema; *complete when there were no more than `limit`.
Status ListUserCheckpoints(Session* session, const std::string& user_id, size_t limit,
                           std::vector<CheckpointRecord>* out, bool* complete);

// LoaderBackend::ListRunIdentities: a page of the ferry.id_map rows of the session's schema
// that run `run_id` wrote last, by user, entity, legacy id (the key's order).
Status ListRunIdentities(Session* session, const std::string& run_id, const RunIdentity* after,
                         size_t limit, std::vector<RunIdentity>* out);

// The checkpoints last written by `run_id` (every run's when empty), by user, entity, unit.
Status ListCheckpoints(Session* session, const std::string& run_id,
                       std::vector<CheckpointRecord>* out);

// The newest `limit` runs (all when limit <= 0), newest first.
Status ListRuns(Session* session, int limit, std::vector<RunRecord>* out);

// Fills the error of each of `runs` that failed or stopped from the audit log (the newest
// entry of kRunErrorAction for its run id).
Status AddRunErrors(Session* session, std::vector<RunRecord>* runs);

// The details of `run_id`'s audit-log entries under `action`, oldest first (Loader::
// ListAuditDetails); empty without the table.
Status ListAuditDetails(Session* session, const std::string& run_id, const std::string& action,
                        std::vector<std::string>* out);

// The newest interrupted run recorded with exactly `arguments`, or nullopt.
Status FindInterruptedRun(Session* session, const std::string& arguments,
                          std::optional<RunRecord>* out);

}  // namespace ferry::postgres
