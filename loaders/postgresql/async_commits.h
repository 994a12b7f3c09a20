// Asynchronous commits of a run's data, and the one synchronous commit that makes them durable.
//
// A migrate run commits its batches, checkpoints and lock rows with synchronous_commit off: the
// server acknowledges a COMMIT before its WAL reaches the disk, so a commit no longer waits for
// an fsync of the shared disk. A server crash (not a dropped connection) may then lose a suffix
// of the acknowledged commits, never one from the middle (the WAL is replayed as a prefix) and
// never part of one. The run's completion (ferry.runs marked finished) commits synchronously,
// and flushes every commit before it; ferry says success only after it. docs/design.md,
// "Asynchronous commits", gives the whole argument.
//
// Two checks keep a lost suffix from being taken for written: a loader that reconnects checks
// that its last acknowledged batch is still there before it writes anything more, and the
// run's completion checks that of every loader of the run (their last batches, noted here for
// the whole process). When one is gone, the call fails (IOError): the run stays interrupted,
// and the same command resumes it and writes the lost batches again, once.
//
// Thread safety: the registry is shared by the loaders of one process and locked; the session
// functions are one session's, used by its thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// A batch a loader committed asynchronously: its checkpoint's key and position.
struct AsyncBatch {
  std::string user_id;
  Checkpoint checkpoint;  // its entity filled in (a batch's checkpoint may leave it empty)
};

// `SET synchronous_commit TO off` (or `on`) for the session's later transactions.
Status SetSynchronousCommit(Session* session, bool on);

// A number of this process's own for each loader: the key of its entry below.
uint64_t NewLoaderSerial();

// Notes `batch` as the last one loader `serial` committed for run `run_id`.
void NoteAsyncBatch(const std::string& run_id, uint64_t serial, AsyncBatch batch);
// The last batch of each loader of run `run_id` noted so far (one per loader).
std::vector<AsyncBatch> AsyncBatchesOf(const std::string& run_id);
// The last batch loader `serial` noted for `run_id`, if any.
bool LastAsyncBatch(const std::string& run_id, uint64_t serial, AsyncBatch* out);
// Forgets the run's batches: its completion made them durable.
void ForgetAsyncBatches(const std::string& run_id);

// OK when every one of `batches` is still in the target as this process committed it (its
// checkpoint of run `run_id` with this process's token, at its position or past it); IOError
// naming the first one that is not: the server lost acknowledged commits (it crashed).
Status CheckBatchesKept(Session* session, const std::string& run_id,
                        const std::vector<AsyncBatch>& batches);

}  // namespace ferry::postgres
