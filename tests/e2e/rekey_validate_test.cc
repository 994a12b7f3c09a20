// End-to-end, both targets (issue 18, docs/rekey.md "Validating a rekey"): `ferry validate --run
// ID` of a hybrid rekey run finds the result valid (exit 0); one corrupted ULID, one foreign
// key's ULID pointing at another parent, and one id-map row mapped to another ULID are each
// found (exit 3) and named with their table, column, row key and value; a validate while the
// rekey runs is refused (exit 4); a plan file gone, and a run rolled back, are exit 2. A
// switch run is checked where the switch moved the keys, on both targets, and so is an add or
// hybrid run after a later switch. On
// PostgreSQL a rekey of tables in another schema (picked by the URL's search_path) validates
// too, and a `?schema=` URL is refused saying how to pick one.
#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::rekey_validate_test {
namespace {

constexpr int kUsers = 300;
constexpr int kDashboards = 600;

// Runs `sql` on the target with its own client.
void Exec(TargetFixture& target, const std::string& sql) {
  CommandResult done =
      target.kind() == "sqlite"
          ? RunShell(fmt::format("sqlite3 '{}' \"{}\" 2>&1",
                                 target.url().substr(std::string("sqlite:").size()), sql))
          : RunShell(
                fmt::format("psql -q -v ON_ERROR_STOP=1 '{}' -c \"{}\" 2>&1", target.url(), sql));
  INFO(sql << "\n" << done.out);
  REQUIRE(done.exit_code == 0);
}

// Tables users (kUsers rows) and dashboards -> users (kDashboards rows, dashboard i of user
// i % kUsers + 1), each with a creation time; `schema` ("" for the session's) holds them.
// Returns a rekey plan of both.
std::string CreateTables(TargetFixture& target, const TempDir& dir, const std::string& schema) {
  const std::string in = schema.empty() ? "" : schema + ".";
  std::string sql = fmt::format(
      "{create_schema}CREATE TABLE {in}users (id integer PRIMARY KEY, email text, created_at text "
      "NOT NULL); CREATE TABLE {in}dashboards (id integer PRIMARY KEY, user_id integer REFERENCES "
      "users (id), created_at text NOT NULL); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
      "i + 1 FROM n WHERE i < {users}) INSERT INTO {in}users SELECT i, 'u' || i || "
      "'@example.com', '2022-01-01T00:' || {two_digits} || ':00.000Z' FROM n; "
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {dashboards}) "
      "INSERT INTO {in}dashboards SELECT i, i % {users} + 1, '2022-02-01T00:00:' || {two_digits} "
      "|| '.000Z' FROM n;",
      // i % 60 in two digits, in the SQL both speak (PostgreSQL's substr takes no negative start).
      fmt::arg("two_digits", "CASE WHEN i % 60 < 10 THEN '0' ELSE '' END || (i % 60)"),
      fmt::arg(
          "create_schema",
          schema.empty() ? "" : fmt::format("CREATE SCHEMA {0}; SET search_path TO {0}; ", schema)),
      fmt::arg("in", in), fmt::arg("users", kUsers), fmt::arg("dashboards", kDashboards));
  Exec(target, sql);
  std::string plan = dir / "plan.yaml";
  REQUIRE(RunShell(fmt::format("cat > '{}' <<'YAML'\n"
                               "version: 1\nname: \"app\"\nentities:\n"
                               "  \"users\":\n"
                               "    source: {{keys: [\"users\"], shape: record}}\n"
                               "    id: {{field: \"id\", time_field: \"created_at\", "
                               "time_format: iso8601}}\n"
                               "    primary_key: [\"id\"]\n    columns:\n"
                               "      \"id\": {{type: ulid, from: $ulid}}\n"
                               "      \"created_at\": {{type: text, from: \"created_at\"}}\n"
                               "  \"dashboards\":\n"
                               "    source: {{keys: [\"dashboards\"], shape: record}}\n"
                               "    id: {{field: \"id\", time_field: \"created_at\", "
                               "time_format: iso8601}}\n"
                               "    primary_key: [\"id\"]\n    columns:\n"
                               "      \"id\": {{type: ulid, from: $ulid}}\n"
                               "      \"user_id\": {{type: ulid, from: \"user_id\", "
                               "references: \"users\"}}\n"
                               "      \"created_at\": {{type: text, from: \"created_at\"}}\n"
                               "YAML\n",
                               plan))
              .exit_code == 0);
  return plan;
}

std::string RekeyRunId(TargetFixture& target) {
  return target
      .Query(fmt::format("SELECT run_id FROM {} WHERE arguments LIKE 'rekey %' ORDER BY run_id",
                         target.Bookkeeping("runs")))
      .at(0)
      .at(0);
}

CommandResult Validate(TargetFixture& target, const std::string& run, const std::string& url = "") {
  return RunFerry({"validate", "--target", url.empty() ? target.url() : url, "--run", run});
}

bool Has(const CommandResult& run, const std::string& text) {
  return run.out.find(text) != std::string::npos || run.err.find(text) != std::string::npos;
}

TEST_CASE("validate of a rekey run: valid, then each corruption named by table, key and value",
          "[e2e][rekey][validate][sqlite][postgresql]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    std::string plan = CreateTables(*target, dir, "");
    std::vector<std::string> rekey = {"rekey",        target->url(), "--plan",     plan,
                                      "--batch-size", "50",          "--strategy", "hybrid"};

    {  // While the rekey runs (stopped after its 2nd batch), validate is refused: exit 4.
      FerryProcess rekeying(
          rekey, {{"FERRY_FAULT", "rekey.batch_committed:2"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
      REQUIRE(rekeying.WaitStopped());
      CommandResult refused = Validate(*target, RekeyRunId(*target));
      INFO(Describe(refused));
      CHECK(refused.exit_code == 4);
      CHECK(Has(refused, "is re-keying this target"));
      rekeying.Signal(SIGCONT);
      CommandResult done = rekeying.Wait();
      INFO(Describe(done));
      REQUIRE(done.exit_code == 0);
    }
    const std::string run = RekeyRunId(*target);

    CommandResult valid = Validate(*target, run);
    INFO(Describe(valid));
    REQUIRE(valid.exit_code == 0);
    CHECK(Has(valid, fmt::format("2 tables, {} rows", kUsers + kDashboards)));
    CHECK(Has(valid, "valid: every row has its ULID"));
    // Without --run: the newest completed run, the rekey.
    CommandResult newest = RunFerry({"validate", "--target", target->url()});
    INFO(Describe(newest));
    CHECK(newest.exit_code == 0);
    CHECK(Has(newest, "validate rekey run " + run));

    {  // One ULID corrupted.
      std::string ulid = target->Query("SELECT id_ulid FROM users WHERE id = 7").at(0).at(0);
      Exec(*target, "UPDATE users SET id_ulid = 'not-a-ulid' WHERE id = 7");
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found, "not valid: users: 1 rows with a malformed ULID"));
      CHECK(Has(found, "users.id_ulid of row 7: not-a-ulid: not a well-formed ULID"));
      Exec(*target, fmt::format("UPDATE users SET id_ulid = '{}' WHERE id = 7", ulid));
    }
    {  // One foreign key's ULID naming another parent: dashboard 3 is user 4's.
      std::string own = target->Query("SELECT id_ulid FROM users WHERE id = 4").at(0).at(0);
      std::string other = target->Query("SELECT id_ulid FROM users WHERE id = 9").at(0).at(0);
      Exec(*target, fmt::format("UPDATE dashboards SET user_id_ulid = '{}' WHERE id = 3", other));
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found,
                "not valid: dashboards.user_id: 1 rows whose user_id_ulid is not their "
                "parent's ULID"));
      CHECK(Has(found, fmt::format("dashboards.user_id_ulid of row 3: {}: not the ULID of users "
                                   "row 4 ({})",
                                   other, own)));
      Exec(*target, fmt::format("UPDATE dashboards SET user_id_ulid = '{}' WHERE id = 3", own));
    }
    {  // One id-map row mapped to another ULID.
      const std::string map = target->Bookkeeping("id_map");
      std::string other = target->Query("SELECT id_ulid FROM users WHERE id = 10").at(0).at(0);
      std::string own = target->Query("SELECT id_ulid FROM users WHERE id = 11").at(0).at(0);
      Exec(*target, fmt::format("UPDATE {} SET ulid = '{}' WHERE entity = 'users' AND legacy_id "
                                "= '11'",
                                map, other));
      std::string report = dir / "validate.json";
      CommandResult found =
          RunFerry({"validate", "--target", target->url(), "--run", run, "--report", report});
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found,
                "not valid: users: 1 rows missing from the id map or mapped to another "
                "ULID"));
      CHECK(Has(found, fmt::format("users.{} of row 11: {}: missing from the id map, or mapped "
                                   "to another ULID (the row's id_ulid: {})",
                                   map, other, own)));
      CHECK(ReadFile(report).find(fmt::format("\"key\":\"11\",\"value\":\"{}\"", other)) !=
            std::string::npos);
      Exec(*target, fmt::format("UPDATE {} SET ulid = '{}' WHERE entity = 'users' AND legacy_id "
                                "= '11'",
                                map, own));
    }
    {  // One id-map row moved to an old key no row has: the counts no longer match.
      const std::string map = target->Bookkeeping("id_map");
      Exec(*target, fmt::format("UPDATE {} SET legacy_id = '99999' WHERE entity = 'users' AND "
                                "legacy_id = '12'",
                                map));
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found, "not valid: users: 1 id-map rows whose old key names no row of the table"));
      CHECK(Has(found, fmt::format("users.{} of row 99999: ", map)));
      Exec(*target, fmt::format("UPDATE {} SET legacy_id = '12' WHERE entity = 'users' AND "
                                "legacy_id = '99999'",
                                map));
    }
    CommandResult again = Validate(*target, run);
    INFO(Describe(again));
    CHECK(again.exit_code == 0);

    // The plan file gone: 2, naming it. Rolled back: 2.
    std::filesystem::rename(plan, plan + ".moved");
    CommandResult gone = Validate(*target, run);
    INFO(Describe(gone));
    CHECK(gone.exit_code == 2);
    CHECK(Has(gone, "plan file " + plan + " is gone"));
    std::filesystem::rename(plan + ".moved", plan);
    CommandResult undone = RunFerry({"rollback", "--target", target->url(), "--run", run});
    INFO(Describe(undone));
    REQUIRE(undone.exit_code == 0);
    CommandResult rolled_back = Validate(*target, run);
    INFO(Describe(rolled_back));
    CHECK(rolled_back.exit_code == 2);
    CHECK(Has(rolled_back, "was rolled back"));
  }
}

// After a switch the ULIDs are the keys (`id`, `user_id`) and the old values are in legacy_
// columns: validate reads them there. A row the application inserts by ULID alone after the
// switch (no legacy_ values) is valid when it names a parent by ULID; one naming none is found
// (SQLite, whose foreign keys are not enforced unless asked; PostgreSQL's constraint refuses it).
TEST_CASE("validate of a switch rekey run: the keys read where the switch moved them",
          "[e2e][rekey][validate][sqlite][postgresql]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    std::string plan = CreateTables(*target, dir, "");
    CommandResult switched = RunFerry(
        {"rekey", target->url(), "--plan", plan, "--batch-size", "100", "--strategy", "switch"});
    INFO(Describe(switched));
    REQUIRE(switched.exit_code == 0);
    const std::string run = RekeyRunId(*target);
    auto ulid_of = [&](const std::string& table, int legacy) {
      return target->Query(fmt::format("SELECT id FROM {} WHERE legacy_id = {}", table, legacy))
          .at(0)
          .at(0);
    };

    CommandResult valid = Validate(*target, run);
    INFO(Describe(valid));
    REQUIRE(valid.exit_code == 0);
    CHECK(Has(valid, "(strategy switch"));
    CHECK(Has(valid, fmt::format("2 tables, {} rows", kUsers + kDashboards)));
    CHECK(Has(valid, "keys switched: users, dashboards"));
    CHECK(Has(valid, "valid: every row has its ULID"));

    {  // One dashboard's key corrupted (no row references a dashboard).
      std::string own = ulid_of("dashboards", 7);
      Exec(*target, "UPDATE dashboards SET id = 'not-a-ulid' WHERE legacy_id = 7");
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found, "not valid: dashboards: 1 rows with a malformed ULID"));
      CHECK(Has(found, "dashboards.id of row not-a-ulid: not-a-ulid: not a well-formed ULID"));
      Exec(*target, fmt::format("UPDATE dashboards SET id = '{}' WHERE legacy_id = 7", own));
    }
    {  // One reference moved to another parent: dashboard 3 is user 4's by the old keys.
      std::string dashboard = ulid_of("dashboards", 3);
      std::string own = ulid_of("users", 4);
      std::string other = ulid_of("users", 9);
      Exec(*target, fmt::format("UPDATE dashboards SET user_id = '{}' WHERE legacy_id = 3", other));
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found,
                "not valid: dashboards.user_id: 1 rows whose user_id is not their parent's ULID"));
      CHECK(Has(found, fmt::format("dashboards.user_id of row {}: {}: not the ULID of users row 4 "
                                   "({})",
                                   dashboard, other, own)));
      Exec(*target, fmt::format("UPDATE dashboards SET user_id = '{}' WHERE legacy_id = 3", own));
    }
    {  // An orphan by the old keys that kept a ULID reference.
      std::string dashboard = ulid_of("dashboards", 5);
      Exec(*target, "UPDATE dashboards SET legacy_user_id = 99999 WHERE legacy_id = 5");
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found,
                fmt::format("orphan: dashboards.legacy_user_id of row {} names 99999", dashboard)));
      CHECK(Has(found, "a ULID where legacy_user_id 99999 names no row of users"));
      Exec(*target, "UPDATE dashboards SET legacy_user_id = 6 WHERE legacy_id = 5");
    }
    // A row inserted by ULID alone since the switch, timed by its creation, naming user 1.
    Exec(*target, fmt::format("INSERT INTO dashboards (id, user_id, created_at) VALUES "
                              "('01FX1CDM000000000000000001', '{}', '2022-03-01T00:00:00.000Z')",
                              ulid_of("users", 1)));
    CommandResult with_new = Validate(*target, run);
    INFO(Describe(with_new));
    CHECK(with_new.exit_code == 0);
    CHECK(Has(with_new, fmt::format("2 tables, {} rows", kUsers + kDashboards + 1)));
    if (target->kind() == "sqlite") {  // the same row naming no user
      Exec(*target,
           "UPDATE dashboards SET user_id = '01FX1CDM000000000000000002' WHERE id = "
           "'01FX1CDM000000000000000001'");
      CommandResult found = Validate(*target, run);
      INFO(Describe(found));
      CHECK(found.exit_code == 3);
      CHECK(Has(found,
                "dashboards.user_id of row 01FX1CDM000000000000000001: "
                "01FX1CDM000000000000000002: names no row of users by its ULID"));
    }
    Exec(*target, "DELETE FROM dashboards WHERE id = '01FX1CDM000000000000000001'");

    CommandResult undone = RunFerry({"rollback", "--target", target->url(), "--run", run});
    INFO(Describe(undone));
    REQUIRE(undone.exit_code == 0);
    CommandResult rolled_back = Validate(*target, run);
    INFO(Describe(rolled_back));
    CHECK(rolled_back.exit_code == 2);
    CHECK(Has(rolled_back, "was rolled back"));
  }
}

TEST_CASE("validate of an add or hybrid rekey run after a later switch: read where it moved them",
          "[e2e][rekey][validate][sqlite][postgresql]") {
  // The earlier run's ULIDs and (hybrid) id map are still there after a switch, under the
  // switched names: validate checks them there (was exit 2, "the run's plan names
  // users.id_ulid, which the database does not hold"), and where they were once the switch is
  // rolled back.
  for (const std::string strategy : {"add", "hybrid"}) {
    DYNAMIC_SECTION(strategy) {
      FERRY_FOR_EACH_TARGET(target) {
        TempDir dir;
        std::string plan = CreateTables(*target, dir, "");
        CommandResult first = RunFerry({"rekey", target->url(), "--plan", plan, "--batch-size",
                                        "100", "--strategy", strategy});
        INFO(Describe(first));
        REQUIRE(first.exit_code == 0);
        const std::string run = RekeyRunId(*target);
        CommandResult switched = RunFerry({"rekey", target->url(), "--plan", plan, "--batch-size",
                                           "100", "--strategy", "switch"});
        INFO(Describe(switched));
        REQUIRE(switched.exit_code == 0);
        const std::string switch_run =
            target
                ->Query(fmt::format("SELECT run_id FROM {} WHERE arguments LIKE 'rekey %' AND "
                                    "run_id <> '{}'",
                                    target->Bookkeeping("runs"), run))
                .at(0)
                .at(0);

        CommandResult valid = Validate(*target, run);
        INFO(Describe(valid));
        CHECK(valid.exit_code == 0);
        CHECK(Has(valid, "(strategy " + strategy));
        CHECK(Has(valid, fmt::format("2 tables, {} rows", kUsers + kDashboards)));
        CHECK(Has(valid, "keys switched since by a later switch run: users, dashboards"));
        CHECK(Has(valid, "valid: every row has its ULID"));
        if (strategy == "hybrid") {
          CHECK(Has(valid, "the id map holds every old key with its ULID"));
          // One id-map row mapped to another ULID is still found, by the row's old key.
          const std::string map = target->Bookkeeping("id_map");
          std::string other =
              target->Query("SELECT id FROM users WHERE legacy_id = 10").at(0).at(0);
          std::string own = target->Query("SELECT id FROM users WHERE legacy_id = 11").at(0).at(0);
          Exec(*target, fmt::format("UPDATE {} SET ulid = '{}' WHERE entity = 'users' AND "
                                    "legacy_id = '11'",
                                    map, other));
          CommandResult found = Validate(*target, run);
          INFO(Describe(found));
          CHECK(found.exit_code == 3);
          CHECK(Has(found,
                    "not valid: users: 1 rows missing from the id map or mapped to another "
                    "ULID"));
          CHECK(Has(found, fmt::format("users.{} of row 11: {}: missing from the id map, or "
                                       "mapped to another ULID (the row's id: {})",
                                       map, other, own)));
          Exec(*target, fmt::format("UPDATE {} SET ulid = '{}' WHERE entity = 'users' AND "
                                    "legacy_id = '11'",
                                    map, own));
        }
        // A row the application inserted by ULID alone since the switch has no old key to map.
        Exec(*target, fmt::format("INSERT INTO users (id, email, created_at) VALUES "
                                  "('01FX1CDM000000000000000001', 'new@example.com', "
                                  "'2022-03-01T00:00:00.000Z')"));
        CommandResult with_new = Validate(*target, run);
        INFO(Describe(with_new));
        CHECK(with_new.exit_code == 0);
        Exec(*target, "DELETE FROM users WHERE id = '01FX1CDM000000000000000001'");

        // The switch undone: the earlier run's columns are back under their own names.
        CommandResult undone =
            RunFerry({"rollback", "--target", target->url(), "--run", switch_run});
        INFO(Describe(undone));
        REQUIRE(undone.exit_code == 0);
        CommandResult back = Validate(*target, run);
        INFO(Describe(back));
        CHECK(back.exit_code == 0);
        CHECK_FALSE(Has(back, "keys switched"));
      }
    }
  }
}

TEST_CASE("rekey and validate of tables in another PostgreSQL schema, by the URL's search_path",
          "[e2e][rekey][validate][postgresql]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  TempDir dir;
  std::string plan = CreateTables(*target, dir, "billing");
  const std::string url = target->url() +
                          (target->url().find('?') == std::string::npos ? "?" : "&") +
                          "options=-csearch_path%3Dbilling";

  CommandResult refused =
      RunFerry({"rekey",
                target->url() + (target->url().find('?') == std::string::npos ? "?" : "&") +
                    "schema=billing",
                "--plan", plan});
  INFO(Describe(refused));
  CHECK(refused.exit_code == 2);
  CHECK(Has(refused, "?schema= is not a PostgreSQL connection parameter"));
  CHECK(Has(refused, "options=-csearch_path%3DNAME"));

  CommandResult done = RunFerry({"rekey", url, "--plan", plan, "--strategy", "hybrid"});
  INFO(Describe(done));
  REQUIRE(done.exit_code == 0);
  CHECK(target->Count("SELECT COUNT(id_ulid) FROM billing.users") == kUsers);
  CHECK(target->Count("SELECT COUNT(*) FROM ferry.id_map WHERE target_schema = 'billing'") ==
        kUsers + kDashboards);
  CommandResult valid = Validate(*target, RekeyRunId(*target), url);
  INFO(Describe(valid));
  CHECK(valid.exit_code == 0);
}

}  // namespace
}  // namespace ferry::e2e::rekey_validate_test
