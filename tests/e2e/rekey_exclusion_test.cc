// End-to-end, both targets (issue 18, docs/rekey.md "Locks" and "Undoing a rekey"): a rekey and
// a migrate into the same target exclude each other (the one that comes second is refused,
// naming the other: the rekey with exit 4, the migrate's users each Locked, and it with exit 4
// on both targets; each runs once the other is done); rolling back a rekey whose columns were
// written into since is refused (exit 2, naming them), and goes through once the same rekey has run
// again.
#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <map>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::rekey_exclusion_test {
namespace {

constexpr int kEvents = 2000;

// Creates table events (id, created_at) of kEvents rows in the target and returns a rekey plan
// of it.
std::string CreateEvents(TargetFixture& target, const TempDir& dir) {
  std::string sql = fmt::format(
      "CREATE TABLE events (id integer PRIMARY KEY, created_at text NOT NULL); WITH RECURSIVE "
      "n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) INSERT INTO events SELECT "
      "i, '2022-01-01T00:00:' || substr('0' || (i % 60), -2, 2) || '.000Z' FROM n;",
      kEvents);
  CommandResult made =
      target.kind() == "sqlite"
          ? RunShell(fmt::format("sqlite3 '{}' \"{}\" 2>&1",
                                 target.url().substr(std::string("sqlite:").size()), sql))
          : RunShell(
                fmt::format("psql -q -v ON_ERROR_STOP=1 '{}' -c \"{}\" 2>&1", target.url(), sql));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  std::string plan = dir / "plan.yaml";
  REQUIRE(RunShell(fmt::format("cat > '{}' <<'YAML'\n"
                               "version: 1\nname: \"events\"\nentities:\n  \"events\":\n"
                               "    source: {{keys: [\"events\"], shape: record}}\n"
                               "    id: {{field: \"id\", time_field: \"created_at\", "
                               "time_format: iso8601}}\n"
                               "    primary_key: [\"id\"]\n    columns:\n"
                               "      \"id\": {{type: ulid, from: $ulid}}\n"
                               "      \"created_at\": {{type: text, from: \"created_at\"}}\n"
                               "YAML\n",
                               plan))
              .exit_code == 0);
  return plan;
}

std::vector<std::string> Migrate(const TempDir& dir, TargetFixture& target) {
  return {"migrate",    dir / "dumps", "--user-id-from", "filename",
          "--target",   target.url(),  "--batch-size",   "10",
          "--progress", "none",        "--rejects",      dir / "rejects"};
}

TEST_CASE("rekey and migrate into one target exclude each other",
          "[e2e][rekey][sqlite][postgresql]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    WriteTaskappWorkload(dir.path() / "dumps", {});
    std::string plan = CreateEvents(*target, dir);
    std::vector<std::string> rekey = {"rekey", target->url(),  "--plan",
                                      plan,    "--batch-size", "100"};

    {  // A rekey mid-fill (stopped after its 2nd batch): a migrate is refused.
      FerryProcess rekeying(
          rekey, {{"FERRY_FAULT", "rekey.batch_committed:2"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
      REQUIRE(rekeying.WaitStopped());
      CommandResult refused = RunFerry(Migrate(dir, *target));
      INFO(Describe(refused));
      // Each user fails on its lock, as under another run's lock: exit 4 on both targets,
      // whether the users load on one thread (SQLite) or on several (PostgreSQL's default).
      CHECK(refused.exit_code == 4);
      CHECK(refused.err.find("is re-keying this target") != std::string::npos);
      rekeying.Signal(SIGCONT);
      CommandResult done = rekeying.Wait();
      INFO(Describe(done));
      CHECK(done.exit_code == 0);
    }
    {  // A migrate mid-way (stopped after a batch, holding a user's lock): a rekey is refused.
      const std::string point =
          target->kind() == "sqlite" ? "sqlite.after_commit:2" : "pg.after_commit:2";
      FerryProcess migrating(Migrate(dir, *target),
                             {{"FERRY_FAULT", point}, {"FERRY_FAULT_SIGNAL", "STOP"}});
      REQUIRE(migrating.WaitStopped());
      CommandResult refused = RunFerry(rekey);
      INFO(Describe(refused));
      CHECK(refused.exit_code == 4);
      CHECK(refused.err.find("a rekey of this target waits for run") != std::string::npos);
      migrating.Signal(SIGCONT);
      CommandResult done = migrating.Wait();
      INFO(Describe(done));
      CHECK(done.exit_code == 0);
    }
    CommandResult again = RunFerry(rekey);
    INFO(Describe(again));
    CHECK(again.exit_code == 0);
  }
}

TEST_CASE("rekey rollback refuses to drop columns written into since, naming them",
          "[e2e][rekey][rollback][sqlite][postgresql]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    std::string plan = CreateEvents(*target, dir);
    std::vector<std::string> rekey = {"rekey", target->url(), "--plan", plan};
    CommandResult done = RunFerry(rekey);
    INFO(Describe(done));
    REQUIRE(done.exit_code == 0);
    std::string run = target
                          ->Query(fmt::format("SELECT run_id FROM {} WHERE arguments LIKE "
                                              "'rekey %'",
                                              target->Bookkeeping("runs")))
                          .at(0)
                          .at(0);
    // The application's dual write: a new row with its own ULID.
    std::string insert =
        "INSERT INTO events (id, created_at, id_ulid) VALUES (99999, "
        "'2023-01-01T00:00:00.000Z', '01GNNA1J00AAAAAAAAAAAAAAAA')";
    REQUIRE(RunShell(target->kind() == "sqlite"
                         ? fmt::format("sqlite3 '{}' \"{}\"",
                                       target->url().substr(std::string("sqlite:").size()), insert)
                         : fmt::format("psql -q -v ON_ERROR_STOP=1 '{}' -c \"{}\"", target->url(),
                                       insert))
                .exit_code == 0);
    for (const char* dry : {"--dry-run", ""}) {
      std::vector<std::string> args = {"rollback", "--target", target->url(), "--run", run};
      if (*dry) args.push_back(dry);
      CommandResult refused = RunFerry(args);
      INFO(Describe(refused));
      CHECK(refused.exit_code == 2);
      CHECK(refused.err.find("events.id_ulid (2001 values now, 2000 when rekey finished)") !=
            std::string::npos);
    }
    CHECK(target->Count("SELECT COUNT(id_ulid) FROM events") == kEvents + 1);

    // The same rekey again records what the columns now hold; the rollback then goes through.
    CommandResult again = RunFerry(rekey);
    INFO(Describe(again));
    REQUIRE(again.exit_code == 0);
    CommandResult undone = RunFerry({"rollback", "--target", target->url(), "--run", run});
    INFO(Describe(undone));
    CHECK(undone.exit_code == 0);
    CHECK(target->Query("SELECT * FROM events WHERE id = 1").at(0).size() == 2);
  }
}

}  // namespace
}  // namespace ferry::e2e::rekey_exclusion_test
