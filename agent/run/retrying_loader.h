// RetryingLoader: a Loader that retries what failed for a transient reason.
//
// Every call that fails with Status::Unavailable (a dropped connection, a server restart, a
// serialization failure, a deadlock, a busy SQLite file) is retried after a capped exponential
// backoff with jitter, up to `retries` times; the wrapped loader reconnects on its next call.
// Any other failure is passed on at once: it is permanent (permission, constraint, full disk).
//
// One outage, one deadline: the calls that fail while the target stays unreachable share it.
// It is set when a call first fails transiently after the last call that reached the target,
// GiveUpAfter(policy) later, and no retry starts after it (nor does a wait run past it), so a
// run whose server is gone for good gives up about that long after losing it, however many
// clean-up steps (id map, lock, run record) then fail in turn: each still makes its own first
// attempt, so a target that came back is used. Any call that reaches the target (it succeeds,
// or fails for a permanent reason) ends the outage.
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
  // The clock of the shared deadline; replaced in tests.
  std::function<std::chrono::steady_clock::time_point()> now;
};

// How long after an outage begins its retries stop: the sum of the longest waits of `retries`
// attempts (first_wait doubling, each capped at max_wait). 61.75 s with the defaults.
std::chrono::milliseconds GiveUpAfter(const RetryPolicy& policy);

// The wait before retry number `attempt` (0-based): uniform in [cap/2, cap], where cap is
// first_wait * 2^attempt capped at max_wait; `unit` in [0, 1) is the jitter.
std::chrono::milliseconds BackoffWait(const RetryPolicy& policy, int attempt, double unit);

// Wraps `inner`; never null.
std::unique_ptr<Loader> MakeRetryingLoader(std::unique_ptr<Loader> inner, RetryPolicy policy);

}  // namespace ferry
