// RetryingLoader: a Loader that retries what failed for a transient reason.
//
// Every call that fails with Status::Unavailable (a dropped connection, a server restart, a
// serialization failure, a deadlock, a busy SQLite file) is retried after a capped exponential
// backoff with jitter, up to `retries` times; the wrapped loader reconnects on its next call.
// Any other failure is passed on at once: it is permanent (permission, constraint, full disk).
//
// A Write whose transaction may or may not have committed (the connection dropped during
// COMMIT) is not simply run again: the batch's checkpoint, committed in the same transaction,
// is read back, and when it is this run's at this position and was written by this process
// (its token, process_identity.h; a target that records no token, SQLite, has one process
// per run) the batch is taken as written.
// Otherwise the transaction rolled back and the batch is written again. Either way each row is
// written once.
//
// Thread safety: as the wrapped loader (one thread at a time).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "loaders/loader.h"

namespace ferry {

struct RetryPolicy {
  int retries = 8;                            // --retries: attempts after the first
  std::chrono::milliseconds first_wait{250};  // doubled after each attempt
  std::chrono::milliseconds max_wait{30000};  // --retry-max-wait: the cap of one wait
  // Sleeps; replaced in tests.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// The wait before retry number `attempt` (0-based): uniform in [cap/2, cap], where cap is
// first_wait * 2^attempt capped at max_wait; `unit` in [0, 1) is the jitter.
std::chrono::milliseconds BackoffWait(const RetryPolicy& policy, int attempt, double unit);

// Wraps `inner`; never null.
std::unique_ptr<Loader> MakeRetryingLoader(std::unique_ptr<Loader> inner, RetryPolicy policy);

}  // namespace ferry
