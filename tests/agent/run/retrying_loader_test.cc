#include "agent/run/retrying_loader.h"

#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <optional>

#include "loaders/process_identity.h"

namespace ferry::retrying_loader_test {

namespace {

// Fails each call with the next scripted status; Write can also "commit" before failing.
class FlakyLoader final : public Loader {
 public:
  Status Check(bool) override { return Next(); }
  Status BeginRun(const RunInfo&) override { return Status::OK(); }
  Status EnsureSchema(const std::vector<const TableDef*>&) override { return Status::OK(); }
  Status LookupIdentities(const std::string&, const std::string&, const std::vector<std::string>&,
                          std::vector<std::optional<KnownIdentity>>*) override {
    return Next();
  }
  Status FetchRows(const TableDef&, const std::vector<Row>&,
                   std::vector<std::optional<Row>>*) override {
    return Status::OK();
  }
  Result<BatchOutcome> Write(const WriteBatch& batch) override {
    ++writes;
    if (commit_then_fail) {
      commit_then_fail = false;
      stored = StoredCheckpoint{"RUN", batch.checkpoint.position, ProcessToken()};
      return Status::Unavailable("server closed the connection during COMMIT");
    }
    Status status = Next();
    if (!status.ok()) return status;
    stored = StoredCheckpoint{"RUN", batch.checkpoint.position};
    BatchOutcome outcome;
    outcome.inserted = static_cast<int64_t>(batch.rows.size());
    return outcome;
  }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }
  Status ReadCheckpoint(const std::string&, const std::string&, const std::string&,
                        std::optional<StoredCheckpoint>* out) override {
    *out = stored;
    return Status::OK();
  }
  Status ListKeys(const TableDef&, const std::string&, const std::string& value,
                  const std::vector<std::string>&, size_t,
                  std::vector<std::vector<std::string>>* keys) override {
    keys->push_back({value});
    return Next();
  }
  Status FindDanglingReferences(const TableDef&, const std::string&, const TableDef&,
                                const std::string&, size_t, std::vector<DanglingReference>*,
                                int64_t* total) override {
    *total = 7;
    return Next();
  }

  Status Next() {
    ++calls;
    if (on_call) on_call();
    if (script.empty()) return Status::OK();
    Status status = script.front();
    script.pop_front();
    return status;
  }

  std::deque<Status> script;
  bool commit_then_fail = false;
  std::optional<StoredCheckpoint> stored;
  int calls = 0;
  int writes = 0;
  std::function<void()> on_call;  // e.g. the time a connection attempt takes
};

RunInfo RunNamed(const std::string& run_id) {
  RunInfo run;
  run.run_id = run_id;
  return run;
}

struct Harness {
  FlakyLoader* flaky = nullptr;
  std::unique_ptr<Loader> loader;
  std::vector<std::chrono::milliseconds> waits;
  std::chrono::steady_clock::time_point clock;  // advanced by the waits only

  explicit Harness(int retries) {
    auto inner = std::make_unique<FlakyLoader>();
    flaky = inner.get();
    RetryPolicy policy;
    policy.retries = retries;
    policy.sleep = [this](std::chrono::milliseconds wait) {
      waits.push_back(wait);
      clock += wait;
    };
    policy.now = [this] { return clock; };
    loader = MakeRetryingLoader(std::move(inner), policy);
  }
};

WriteBatch OneRowBatch(int64_t position, bool known) {
  WriteBatch batch;
  batch.entity = "tasks";
  batch.user_id = "u1";
  batch.rows.resize(1);
  batch.identities.push_back(IdentityRecord{"t1", "01ULID", "hash", known});
  batch.checkpoint = Checkpoint{"u1.json", "tasks", position};
  return batch;
}

}  // namespace

TEST_CASE("RetryingLoader: a transient failure is retried until it passes") {
  Harness h(8);
  h.flaky->script = {Status::Unavailable("connection lost"), Status::Unavailable("restarting")};
  CHECK(h.loader->Check(false).ok());
  CHECK(h.flaky->calls == 3);
  CHECK(h.waits.size() == 2);
}

TEST_CASE("RetryingLoader: a permanent failure is passed on at once") {
  Harness h(8);
  h.flaky->script = {Status::IOError("permission denied for table tasks")};
  Status status = h.loader->Check(false);
  CHECK(status.code() == Status::Code::kIOError);
  CHECK(h.flaky->calls == 1);
  CHECK(h.waits.empty());
}

TEST_CASE("RetryingLoader: gives up after --retries attempts with the last failure") {
  Harness h(2);
  h.flaky->script = {Status::Unavailable("a"), Status::Unavailable("b"), Status::Unavailable("c"),
                     Status::OK()};
  Status status = h.loader->Check(false);
  CHECK(status.IsUnavailable());
  CHECK(status.message().find("c") != std::string::npos);
  CHECK(h.flaky->calls == 3);
}

TEST_CASE("RetryingLoader: a batch that failed before COMMIT is written again") {
  Harness h(8);
  REQUIRE(h.loader->BeginRun(RunNamed("RUN")).ok());
  h.flaky->script = {Status::Unavailable("connection lost")};
  Result<BatchOutcome> outcome = h.loader->Write(OneRowBatch(25, false));
  REQUIRE(outcome.ok());
  CHECK(h.flaky->writes == 2);
  CHECK(outcome->inserted == 1);
}

TEST_CASE("RetryingLoader: a batch whose COMMIT went through is not written twice") {
  Harness h(8);
  REQUIRE(h.loader->BeginRun(RunNamed("RUN")).ok());
  h.flaky->commit_then_fail = true;
  Result<BatchOutcome> outcome = h.loader->Write(OneRowBatch(50, false));
  REQUIRE(outcome.ok());
  CHECK(h.flaky->writes == 1);
  CHECK(outcome->inserted == 1);
}

TEST_CASE("RetryingLoader: an earlier batch's checkpoint does not pass for this one") {
  Harness h(8);
  REQUIRE(h.loader->BeginRun(RunNamed("RUN")).ok());
  h.flaky->stored = StoredCheckpoint{"RUN", 25};
  h.flaky->script = {Status::Unavailable("connection lost")};
  REQUIRE(h.loader->Write(OneRowBatch(50, true)).ok());
  CHECK(h.flaky->writes == 2);
}

TEST_CASE("BackoffWait: doubles from the first wait, capped, with jitter in the upper half") {
  RetryPolicy policy;
  policy.first_wait = std::chrono::milliseconds(250);
  policy.max_wait = std::chrono::milliseconds(2000);
  CHECK(BackoffWait(policy, 0, 0.0).count() == 125);
  CHECK(BackoffWait(policy, 0, 0.999).count() <= 250);
  CHECK(BackoffWait(policy, 2, 0.0).count() == 500);
  CHECK(BackoffWait(policy, 10, 0.0).count() == 1000);
  CHECK(BackoffWait(policy, 10, 0.999).count() <= 2000);
  CHECK(BackoffWait(policy, 62, 0.5).count() <= 2000);
}

TEST_CASE("RetryingLoader: another process's checkpoint of this run and position is not a commit") {
  Harness h(8);
  REQUIRE(h.loader->BeginRun(RunNamed("RUN")).ok());
  // A process that took the run over wrote this very position from the same checkpoint.
  h.flaky->stored = StoredCheckpoint{"RUN", 50, "ANOTHERPROCESSTOKEN0000000"};
  h.flaky->script = {Status::Unavailable("server closed the connection during COMMIT")};
  Result<BatchOutcome> outcome = h.loader->Write(OneRowBatch(50, false));
  REQUIRE(outcome.ok());
  CHECK(h.flaky->writes == 2);  // written again (where the loader then finds it is not its run)
}

TEST_CASE("GiveUpAfter: the longest waits of --retries attempts, added up") {
  RetryPolicy policy;
  CHECK(GiveUpAfter(policy).count() == 61750);  // 0.25 + 0.5 + ... + 16 + 30 s
  policy.retries = 0;
  CHECK(GiveUpAfter(policy).count() == 0);
  policy.retries = 30;
  policy.max_wait = std::chrono::milliseconds(500);
  CHECK(GiveUpAfter(policy).count() == 250 + 29 * 500);
  policy.first_wait = std::chrono::milliseconds(2000);
  CHECK(GiveUpAfter(policy).count() == 30 * 500);
}

void FailEveryCall(FlakyLoader* flaky) {
  flaky->script.assign(1000, Status::Unavailable("cannot connect: Connection refused"));
}

TEST_CASE("RetryingLoader: the clean-up steps of a lost server share one deadline (issue 21)") {
  Harness h(8);
  const auto start = h.clock;
  std::vector<std::optional<KnownIdentity>> found;
  FailEveryCall(h.flaky);
  SECTION("attempts that fail at once") {
    // Reading the id map uses all of its retries; the next steps share what is left of the
    // outage's deadline, then make one attempt each: about 1 minute in all, not 3.
    CHECK(h.loader->LookupIdentities("tasks", "u1", {"t1"}, &found).IsUnavailable());
    CHECK(h.flaky->calls == 9);
    CHECK(h.clock - start < GiveUpAfter(RetryPolicy{}));
    CHECK(h.loader->Check(false).IsUnavailable());  // releasing the lock, in the real run
    CHECK(h.clock - start == GiveUpAfter(RetryPolicy{}));
    int calls = h.flaky->calls;
    CHECK(h.loader->Check(false).IsUnavailable());  // recording the end of the run
    CHECK(h.flaky->calls == calls + 1);
    CHECK(h.clock - start == GiveUpAfter(RetryPolicy{}));
  }
  SECTION("attempts that take 10 s each (a host that does not answer)") {
    h.flaky->on_call = [&h] { h.clock += std::chrono::seconds(10); };
    for (int step = 0; step < 3; ++step) {
      CHECK(h.loader->LookupIdentities("tasks", "u1", {"t1"}, &found).IsUnavailable());
    }
    // The deadline counts from the first failure (after its 10 s); the last retry begins
    // before it and the two later steps make one attempt each.
    CHECK(h.clock - start <=
          std::chrono::seconds(10) + GiveUpAfter(RetryPolicy{}) + 3 * std::chrono::seconds(10));
    CHECK(h.flaky->calls < 9 + 2);
  }
}

TEST_CASE("RetryingLoader: a call that reaches the target ends the outage") {
  Harness h(2);
  h.flaky->script = {Status::Unavailable("a"), Status::Unavailable("b"), Status::Unavailable("c")};
  CHECK(h.loader->Check(false).IsUnavailable());
  CHECK(h.flaky->calls == 3);
  h.clock += std::chrono::minutes(5);  // well past the outage's deadline
  CHECK(h.loader->Check(false).ok());
  // A new outage: its own deadline, its full retries.
  h.flaky->script = {Status::Unavailable("d"), Status::Unavailable("e")};
  CHECK(h.loader->Check(false).ok());
  CHECK(h.flaky->calls == 3 + 1 + 3);
}

TEST_CASE("RetryingLoader: a permanent failure also ends the outage") {
  Harness h(1);
  h.flaky->script = {Status::Unavailable("a"), Status::Unavailable("b"),
                     Status::IOError("permission denied"), Status::Unavailable("c")};
  CHECK(h.loader->Check(false).IsUnavailable());
  h.clock += std::chrono::minutes(5);
  CHECK(h.loader->Check(false).code() == Status::Code::kIOError);
  CHECK(h.loader->Check(false).ok());  // "c" retried once, then the script is empty
  CHECK(h.flaky->calls == 5);
}

// Every call reaches the wrapped loader: a method the wrapper did not restate used to fall to
// Loader's default ("not supported") instead of the target's own answer.
TEST_CASE("RetryingLoader: the calls it does not retry reach the wrapped loader") {
  Harness h(8);
  TableDef table;
  std::vector<std::vector<std::string>> keys;
  REQUIRE(h.loader->ListKeys(table, "user_id", "u1", {}, 10, &keys).ok());
  CHECK(keys == std::vector<std::vector<std::string>>{{"u1"}});
  int64_t total = 0;
  std::vector<DanglingReference> found;
  REQUIRE(h.loader->FindDanglingReferences(table, "parent", table, "id", 10, &found, &total).ok());
  CHECK(total == 7);
}

}  // namespace ferry::retrying_loader_test
