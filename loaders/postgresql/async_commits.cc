#include "loaders/postgresql/async_commits.h"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <utility>

#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/run_history.h"
#include "loaders/process_identity.h"
#include "loaders/unit_mark.h"

namespace ferry::postgres {

namespace {

// Run id -> loader serial -> that loader's last batch. The loaders of a run (--jobs workers)
// end before the run does: their entries outlive them, for the completion to check.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::map<uint64_t, AsyncBatch>> runs;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();  // never destroyed: used until the process ends
  return *registry;
}

}  // namespace

Status SetSynchronousCommit(Session* session, bool on) {
  return Guarded("setting synchronous_commit on " + session->display_name(), session->secrets(),
                 [&]() -> Status {
                   pqxx::nontransaction txn(session->connection());
                   txn.exec0(on ? "SET synchronous_commit TO on" : "SET synchronous_commit TO off");
                   return Status::OK();
                 });
}

uint64_t NewLoaderSerial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

void NoteAsyncBatch(const std::string& run_id, uint64_t serial, AsyncBatch batch) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.runs[run_id][serial] = std::move(batch);
}

std::vector<AsyncBatch> AsyncBatchesOf(const std::string& run_id) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<AsyncBatch> batches;
  auto run = registry.runs.find(run_id);
  if (run != registry.runs.end()) {
    for (const auto& [serial, batch] : run->second) batches.push_back(batch);
  }
  return batches;
}

bool LastAsyncBatch(const std::string& run_id, uint64_t serial, AsyncBatch* out) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto run = registry.runs.find(run_id);
  if (run == registry.runs.end()) return false;
  auto batch = run->second.find(serial);
  if (batch == run->second.end()) return false;
  *out = batch->second;
  return true;
}

void ForgetAsyncBatches(const std::string& run_id) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.runs.erase(run_id);
}

Status CheckBatchesKept(Session* session, const std::string& run_id,
                        const std::vector<AsyncBatch>& batches) {
  for (const AsyncBatch& batch : batches) {
    const Checkpoint& checkpoint = batch.checkpoint;
    std::optional<StoredCheckpoint> stored;
    FERRY_RETURN_IF_ERROR(
        ReadCheckpoint(session, batch.user_id, checkpoint.entity, checkpoint.unit, &stored));
    // Past it: a later batch of the same unit and entity, committed after this one. A unit's
    // mark holds a digest, not a count: only the same one is this mark.
    bool kept = stored && stored->run_id == run_id && stored->token == ProcessToken() &&
                (stored->position == checkpoint.position ||
                 (checkpoint.entity != kUnitDoneEntity && stored->position > checkpoint.position));
    if (!kept) {
      return Status::IOError(
          "PostgreSQL target " + session->display_name() + ": the batch of " +
          (checkpoint.entity == kUnitDoneEntity ? std::string("the unit's mark")
                                                : checkpoint.entity) +
          " of user " + batch.user_id + " up to record " + std::to_string(checkpoint.position) +
          " of " + checkpoint.unit +
          ", acknowledged by the server, is no longer there: the server lost its latest commits "
          "(it crashed or was stopped without flushing them; ferry commits its batches with "
          "synchronous_commit off and flushes them at the run's end). Nothing more is written by "
          "this process; run the same command again: it resumes run " +
          run_id + " and writes what was lost, once");
    }
  }
  return Status::OK();
}

}  // namespace ferry::postgres
