#include "agent/run/retrying_loader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "agent/run/stop_signal.h"
#include "loaders/forwarding_loader.h"
#include "loaders/process_identity.h"

namespace ferry {

namespace {

// What it does not retry it forwards as it is (ForwardingLoader): local checks, and the
// commands a user reruns by hand (schema, unlock).
class RetryingLoader final : public ForwardingLoader {
 public:
  RetryingLoader(std::unique_ptr<Loader> inner, RetryPolicy policy)
      : ForwardingLoader(std::move(inner)),
        policy_(std::move(policy)),
        random_(std::random_device{}()) {
    if (!policy_.sleep) {
      policy_.sleep = [](std::chrono::milliseconds wait) {
        // In slices, so that Ctrl-C or SIGTERM ends a long wait (the run then stops).
        auto end = std::chrono::steady_clock::now() + wait;
        while (StopSignal() == 0 && std::chrono::steady_clock::now() < end) {
          std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
              std::chrono::milliseconds(50), end - std::chrono::steady_clock::now()));
        }
      };
    }
    if (!policy_.now) policy_.now = [] { return std::chrono::steady_clock::now(); };
  }

  Status Check(bool dry_run) override {
    return Retry("connecting", [&] { return inner()->Check(dry_run); });
  }
  Status BeginRun(const RunInfo& run) override {
    run_id_ = run.run_id;
    return Retry("recording the run", [&] { return inner()->BeginRun(run); });
  }
  Status EnsureSchema(const std::vector<const TableDef*>& tables) override {
    return Retry("creating the tables", [&] { return inner()->EnsureSchema(tables); });
  }
  Status LookupIdentities(const std::string& entity, const std::string& user_id,
                          const std::vector<std::string>& legacy_ids,
                          std::vector<std::optional<KnownIdentity>>* out) override {
    return Retry("reading the id map",
                 [&] { return inner()->LookupIdentities(entity, user_id, legacy_ids, out); });
  }
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override {
    return Retry("reading the target's rows", [&] { return inner()->FetchRows(table, keys, out); });
  }
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override {
    return Retry("reading the target's rows",
                 [&] { return inner()->HoldsNoRowWith(table, column, value, none); });
  }
  Status ProbeUser(const std::string& user_id, const std::vector<std::string>& entities,
                   const std::vector<UserColumn>& tables, bool* fresh) override {
    return Retry("reading the target's rows",
                 [&] { return inner()->ProbeUser(user_id, entities, tables, fresh); });
  }
  Status ConnectionRoom(int* room) override {
    return Retry("reading the server's connection limit",
                 [&] { return inner()->ConnectionRoom(room); });
  }
  Result<BatchOutcome> Write(const WriteBatch& batch) override;
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches) override;
  Status FinishRun(const RunTotals& totals) override {
    return Retry("recording the end of the run", [&] { return inner()->FinishRun(totals); });
  }
  Status RecordArchive(const std::string& archive_id) override {
    return Retry("recording the run's backup", [&] { return inner()->RecordArchive(archive_id); });
  }
  Status LockUser(const std::string& user_id) override {
    return Retry("taking the lock", [&] { return inner()->LockUser(user_id); });
  }
  Status UnlockUser(const std::string& user_id) override {
    return Retry("releasing the lock", [&] { return inner()->UnlockUser(user_id); });
  }
  Status JoinUser(const std::string& user_id) override {
    return Retry("joining the user's writers", [&] { return inner()->JoinUser(user_id); });
  }
  Status LeaveUser(const std::string& user_id) override {
    return Retry("leaving the user's writers", [&] { return inner()->LeaveUser(user_id); });
  }
  Status ReadCheckpoint(const std::string& user_id, const std::string& entity,
                        const std::string& unit, std::optional<StoredCheckpoint>* out) override {
    return Retry("reading a checkpoint",
                 [&] { return inner()->ReadCheckpoint(user_id, entity, unit, out); });
  }
  Status ReadUnitRejects(const std::string& user_id, const std::string& unit,
                         std::optional<StoredUnitRejects>* out) override {
    return Retry("reading a unit's rejects",
                 [&] { return inner()->ReadUnitRejects(user_id, unit, out); });
  }
  Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                       std::vector<StoredUnitMark>* out, bool* complete) override {
    return Retry("reading the units' marks",
                 [&] { return inner()->ReadUnitMarks(units, max_kept_bytes, out, complete); });
  }
  Status ListCheckpoints(const std::string& run_id, std::vector<CheckpointRecord>* out) override {
    return Retry("reading the checkpoints", [&] { return inner()->ListCheckpoints(run_id, out); });
  }
  Status FindInterruptedRun(const std::string& arguments, std::optional<RunRecord>* out) override {
    return Retry("reading the run history",
                 [&] { return inner()->FindInterruptedRun(arguments, out); });
  }
  Status ListRuns(int limit, std::vector<RunRecord>* out) override {
    return Retry("reading the run history", [&] { return inner()->ListRuns(limit, out); });
  }
  // What a run that wrote nothing says (its automatic rollback reads it: reject_rollback.h).
  Status ListAuditDetails(const std::string& run_id, const std::string& action,
                          std::vector<std::string>* out) override {
    return Retry("reading the audit log",
                 [&] { return inner()->ListAuditDetails(run_id, action, out); });
  }
  Status ListLocks(std::vector<LockHolder>* out) override {
    return Retry("reading the locks", [&] { return inner()->ListLocks(out); });
  }
  // All or nothing in one transaction: a retry after a dropped connection starts afresh.
  Status RollBack(const RollbackRequest& request, RollbackOutcome* outcome) override {
    return Retry("rolling back the run", [&] { return inner()->RollBack(request, outcome); });
  }

 private:
  template <typename Call>
  Status Retry(const char* what, Call call) {
    Status status = call();
    for (int attempt = 0; MayRetry(what, status, attempt); ++attempt) {
      Wait(what, status, attempt);
      if (StopSignal() != 0) break;
      status = call();
    }
    return status;
  }

  // Whether a call that ended with `status` is retried, `attempt` retries in; keeps the outage
  // (its start and deadline) up to date.
  bool MayRetry(const char* what, const Status& status, int attempt) {
    if (!status.IsUnavailable()) {
      outage_start_.reset();  // the target answered
      return false;
    }
    std::chrono::steady_clock::time_point now = policy_.now();
    if (!outage_start_) outage_start_ = now;
    if (attempt >= policy_.retries) return false;
    if (now < OutageDeadline()) return true;
    spdlog::warn(
        "{}: {}; not retried: the target has been unreachable for {:.1f} s, as long as the "
        "retries wait in all (--retries {}, --retry-max-wait)",
        what, status.message(), Seconds(now - *outage_start_), policy_.retries);
    return false;
  }

  std::chrono::steady_clock::time_point OutageDeadline() const {
    return *outage_start_ + GiveUpAfter(policy_);
  }

  static double Seconds(std::chrono::steady_clock::duration duration) {
    return std::chrono::duration<double>(duration).count();
  }

  // REQUIRES: MayRetry returned true (an outage is on).
  void Wait(const char* what, const Status& status, int attempt) {
    std::chrono::milliseconds wait = BackoffWait(policy_, attempt, unit_(random_));
    // Never past the deadline: the last retry is made at it.
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(OutageDeadline() - policy_.now());
    wait = std::max(std::chrono::milliseconds(0), std::min(wait, left));
    // "after a pause": the retried call may wait longer on its own (a SQLite statement waits
    // up to its busy timeout for the lock), so the pause is not when the retry ends.
    spdlog::warn("{}: {}; retry {} of {} after a pause of {:.1f} s", what, status.message(),
                 attempt + 1, policy_.retries, wait.count() / 1000.0);
    policy_.sleep(wait);
  }

  // Whether the batch's transaction committed although its result was lost.
  Result<bool> Committed(const WriteBatch& batch) {
    std::optional<StoredCheckpoint> stored;
    FERRY_RETURN_IF_ERROR(
        ReadCheckpoint(batch.user_id, batch.checkpoint.entity, batch.checkpoint.unit, &stored));
    // The token: another process that took this run over writes the same run id and, from the
    // same checkpoint, the same positions; its commit is not this one's.
    return stored && stored->run_id == run_id_ && stored->position == batch.checkpoint.position &&
           (stored->token.empty() || stored->token == ProcessToken());
  }

  RetryPolicy policy_;
  std::string run_id_;
  // When the calls began to fail transiently; empty while the target answers.
  std::optional<std::chrono::steady_clock::time_point> outage_start_;
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

// What Write would have returned for a batch that committed: the loader writes new identities
// as inserts and known ones by the batch's policy (merged rows arrive already merged).
BatchOutcome OutcomeOfCommitted(const WriteBatch& batch) {
  BatchOutcome outcome;
  for (const IdentityRecord& identity : batch.identities) {
    if (!identity.known) {
      outcome.inserted++;
    } else if (batch.policy == ConflictPolicy::kMerge) {
      outcome.merged++;
    } else {
      outcome.updated++;
    }
  }
  return outcome;
}

Result<BatchOutcome> RetryingLoader::Write(const WriteBatch& batch) {
  Result<BatchOutcome> result = inner()->Write(batch);
  for (int attempt = 0; MayRetry("writing a batch", result.status(), attempt); ++attempt) {
    Wait("writing a batch", result.status(), attempt);
    if (StopSignal() != 0) return result;
    Result<bool> committed = Committed(batch);
    if (!committed.ok()) return committed.status();
    if (*committed) {
      spdlog::info(
          "the batch of {} up to record {} of {} had committed before the connection "
          "dropped; not writing it again",
          batch.entity, batch.checkpoint.position, batch.checkpoint.unit);
      return OutcomeOfCommitted(batch);
    }
    result = inner()->Write(batch);
  }
  return result;
}

Result<std::vector<BatchOutcome>> RetryingLoader::WriteTogether(
    const std::vector<WriteBatch>& batches) {
  Result<std::vector<BatchOutcome>> result = inner()->WriteTogether(batches);
  for (int attempt = 0; MayRetry("writing a user's batches", result.status(), attempt); ++attempt) {
    if (batches.empty()) return result;
    Wait("writing a user's batches", result.status(), attempt);
    if (StopSignal() != 0) return result;
    // One transaction: the last batch's checkpoint tells for all of them.
    Result<bool> committed = Committed(batches.back());
    if (!committed.ok()) return committed.status();
    if (*committed) {
      spdlog::info(
          "the {} batches of a unit had committed before the connection dropped; not "
          "writing them again",
          batches.size());
      std::vector<BatchOutcome> outcomes;
      for (const WriteBatch& batch : batches) outcomes.push_back(OutcomeOfCommitted(batch));
      return outcomes;
    }
    result = inner()->WriteTogether(batches);
  }
  return result;
}

}  // namespace

std::chrono::milliseconds BackoffWait(const RetryPolicy& policy, int attempt, double unit) {
  auto cap = policy.first_wait;
  for (int i = 0; i < attempt && cap < policy.max_wait; ++i) cap *= 2;
  cap = std::min(cap, policy.max_wait);
  auto half = cap / 2;
  return half + std::chrono::milliseconds(static_cast<int64_t>(unit * (cap - half).count()));
}

std::chrono::milliseconds GiveUpAfter(const RetryPolicy& policy) {
  std::chrono::milliseconds total{0};
  std::chrono::milliseconds cap = std::min(policy.first_wait, policy.max_wait);
  for (int attempt = 0; attempt < policy.retries; ++attempt) {
    if (cap >= policy.max_wait) return total + policy.max_wait * (policy.retries - attempt);
    total += cap;
    cap = std::min(cap * 2, policy.max_wait);
  }
  return total;
}

std::unique_ptr<Loader> MakeRetryingLoader(std::unique_ptr<Loader> inner, RetryPolicy policy) {
  return std::make_unique<RetryingLoader>(std::move(inner), std::move(policy));
}

}  // namespace ferry
