// End-to-end: what a conflict policy does is a function of the row in the target and the
// source, never of ferry's memory of what it wrote (issue 12 item 2, issue 13 items 2 and 4):
// a row edited by hand or left different by a merge is overwritten, a deleted row is written
// again with its ULID, and a row that holds a unique key of the mapping is adopted. Every case
// runs on SQLite and PostgreSQL (target_fixture.h).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/admin_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::conflict_outcome_test {

namespace {

using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kHandUlid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

std::string Task(int id, const std::string& title, const std::string& extra = "") {
  return R"({"id":)" + std::to_string(id) + R"(,"title":")" + title +
         R"(","status":"todo","createdAt":"2020-01-01T00:00:00Z",)"
         R"("updatedAt":"2020-01-02T00:00:00Z")" +
         extra + "}";
}

std::string Tasks(int count, const std::string& extra = "") {
  std::string out = "[";
  for (int i = 1; i <= count; ++i)
    out += (i > 1 ? "," : "") + Task(i, "t" + std::to_string(i), extra);
  return out + "]";
}

struct Run {
  CommandResult result;
  simdjson::dom::parser parser;
  simdjson::dom::element report;

  int64_t Counted(const char* entity, const char* what) const {
    return int64_t(report["entities"][entity][what]);
  }
};

// `ferry migrate DUMP --user-id u --target URL --conflict POLICY`, REQUIRing exit 0.
std::unique_ptr<Run> Migrate(const TargetFixture& target, const TempDir& work,
                             const std::string& dump, const std::string& policy,
                             const std::vector<std::string>& extra = {}) {
  auto run = std::make_unique<Run>();
  std::string report = work / "report.json";
  std::filesystem::remove(report);
  std::vector<std::string> args = {"migrate",  dump,         "--user-id",  "u",
                                   "--target", target.url(), "--conflict", policy,
                                   "--report", report,       "--progress", "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  run->result = RunFerry(args);
  INFO(run->result.out << run->result.err);
  REQUIRE(run->result.exit_code == 0);
  REQUIRE(run->parser.load(report).get(run->report) == simdjson::SUCCESS);
  return run;
}

// Tasks whose environment_id names no environment.
int64_t DanglingTasks(TargetFixture& target) {
  return target.Count(
      "SELECT count(*) FROM tasks t LEFT JOIN environments e ON e.id = t.environment_id "
      "WHERE t.environment_id IS NOT NULL AND e.id IS NULL");
}

}  // namespace

TEST_CASE("conflicts: overwrite rewrites a row edited by hand; unchanged rows are counted apart",
          "[e2e][sqlite][postgres][conflicts]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string dump = work / "u.json";
    WriteDump(dump, {{"tasks", Tasks(3)}});
    Migrate(*target, work, dump, "skip");
    ExecOn(*target, "UPDATE tasks SET title = 'edited by hand' WHERE legacy_id = '1'");

    auto run = Migrate(*target, work, dump, "overwrite");
    CHECK(run->Counted("tasks", "updated") == 1);
    CHECK(run->Counted("tasks", "unchanged") == 2);
    CHECK(run->Counted("tasks", "skipped") == 0);
    CHECK(target->Query("SELECT title FROM tasks WHERE legacy_id = '1'") == Rows{{"t1"}});
    // The text summary has a column of its own for unchanged rows.
    std::string out = run->result.out;
    size_t header = out.find("  entity ");
    REQUIRE(header != std::string::npos);
    CHECK(out.substr(header, out.find('\n', header) - header).find("unchanged") !=
          std::string::npos);

    // The same under merge: equal update times make the source's value win.
    ExecOn(*target, "UPDATE tasks SET title = 'edited again' WHERE legacy_id = '2'");
    auto merged = Migrate(*target, work, dump, "merge");
    CHECK(merged->Counted("tasks", "merged") == 1);
    CHECK(merged->Counted("tasks", "unchanged") == 2);
    CHECK(target->Query("SELECT title FROM tasks WHERE legacy_id = '2'") == Rows{{"t2"}});
  }
}

TEST_CASE("conflicts: overwrite after a merge leaves the row equal to the source",
          "[e2e][sqlite][postgres][conflicts]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string dump = work / "u.json";
    WriteDump(dump, {{"tasks", "[" + Task(1, "t", R"(,"description":"kept")") + "]"}});
    Migrate(*target, work, dump, "skip");
    // A null in the source never overwrites a value under merge...
    WriteDump(dump, {{"tasks", "[" + Task(1, "t", R"(,"description":null)") + "]"}});
    Migrate(*target, work, dump, "merge");
    CHECK(target->Query("SELECT description FROM tasks") == Rows{{"kept"}});
    // ...but overwrite makes the row what the source says.
    auto run = Migrate(*target, work, dump, "overwrite");
    CHECK(run->Counted("tasks", "updated") == 1);
    CHECK(run->Counted("tasks", "unchanged") == 0);
    CHECK(target->Query("SELECT description FROM tasks") == Rows{{"NULL"}});
    auto again = Migrate(*target, work, dump, "overwrite");
    CHECK(again->Counted("tasks", "unchanged") == 1);
    CHECK(again->Counted("tasks", "updated") == 0);
  }
}

TEST_CASE("conflicts: rows deleted from the target are written again with their ULIDs",
          "[e2e][sqlite][postgres][conflicts]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string dump = work / "u.json";
    WriteDump(dump, {{"tasks", Tasks(12)}});
    Migrate(*target, work, dump, "skip");
    Rows before = target->Query("SELECT legacy_id, id, title FROM tasks ORDER BY id");
    REQUIRE(before.size() == 12);
    // Under skip the unchanged unit is skipped whole (issue 19), deleted rows and all...
    ExecOn(*target, "DELETE FROM tasks WHERE legacy_id <> '1'");
    auto skipped = Migrate(*target, work, dump, "skip");
    CHECK(int64_t(skipped->report["unchanged_units"]) == 1);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 1);
    // ...which --rescan reads, as the other policies do.
    for (const char* policy : {"overwrite", "skip", "merge"}) {
      INFO(policy);
      ExecOn(*target, "DELETE FROM tasks WHERE legacy_id <> '1'");
      auto run = Migrate(*target, work, dump, policy, {"--rescan"});
      CHECK(run->Counted("tasks", "inserted") == 11);
      CHECK(run->Counted("tasks", "unchanged") + run->Counted("tasks", "skipped") == 1);
      CHECK(run->Counted("tasks", "updated") + run->Counted("tasks", "merged") == 0);
      CHECK(target->Query("SELECT legacy_id, id, title FROM tasks ORDER BY id") == before);
    }
  }
}

TEST_CASE("conflicts: a parent already in the target under its unique key is adopted",
          "[e2e][sqlite][postgres][conflicts]") {
  const std::string environments = R"([{"id":"env-1","name":"from the source"}])";
  const std::string tasks = "[" + Task(1, "t", R"(,"environmentId":"env-1")") + "]";
  for (const char* policy : {"skip", "overwrite", "merge"}) {
    FERRY_FOR_EACH_TARGET(target) {
      INFO(policy);
      TempDir work;
      std::string dump = work / "u.json";
      // A first run makes the tables; then another tool writes env-1's row.
      WriteDump(dump, {{"environments", R"([{"id":"env-0","name":"zero"}])"}});
      Migrate(*target, work, dump, "skip");
      ExecOn(*target,
             std::string("INSERT INTO environments (id, user_id, legacy_id, name) VALUES ('") +
                 kHandUlid + "', 'u', 'env-1', 'by hand')");

      WriteDump(dump, {{"environments", environments}, {"tasks", tasks}});
      auto run = Migrate(*target, work, dump, policy);
      CHECK(run->Counted("environments", "inserted") == 0);
      CHECK(run->Counted("tasks", "inserted") == 1);
      CHECK(target->Count("SELECT count(*) FROM environments WHERE legacy_id = 'env-1'") == 1);
      CHECK(target->Query("SELECT environment_id FROM tasks") == Rows{{kHandUlid}});
      CHECK(DanglingTasks(*target) == 0);
      CHECK(target->Query("SELECT ulid FROM " + target->Bookkeeping("id_map") +
                          " WHERE entity = 'environments' AND legacy_id = 'env-1'") ==
            Rows{{kHandUlid}});
      std::string name = target->Query("SELECT name FROM environments WHERE id = '" +
                                       std::string(kHandUlid) + "'")[0][0];
      CHECK(name == (std::string(policy) == "skip" ? "by hand" : "from the source"));

      // A rerun finds everything in place.
      auto again = Migrate(*target, work, dump, policy);
      CHECK(again->Counted("environments", "inserted") == 0);
      CHECK(again->Counted("tasks", "inserted") == 0);
      CHECK(DanglingTasks(*target) == 0);
    }
  }
}

TEST_CASE("conflicts: two records sharing a mapping's unique key: the later is rejected or adopts",
          "[e2e][sqlite][postgres][conflicts]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string mapping = work / "envs.yaml";
    std::ofstream(mapping) << R"(version: 1
name: envs
entities:
  envs:
    source: {keys: [envs], shape: array}
    schema: {type: object}
    id: {field: id}
    primary_key: [id]
    unique: [[user_id, legacy_id], [user_id, name]]
    columns:
      id: {type: ulid, from: $ulid}
      user_id: {type: text, from: $user, nullable: false}
      legacy_id: {type: text, from: $legacy_id, nullable: false}
      name: {type: text, from: name}
)";
    std::string dump = work / "u.json";
    auto run = [&](const std::string& envs) {
      WriteDump(dump, {{"envs", envs}});
      return RunFerry({"migrate", dump, "--user-id", "u", "--target", target->url(), "--mapping",
                       mapping, "--continue-on-error", "--rejects", work / "rejects.ndjson",
                       "--progress", "none"});
    };
    // In one batch: the later record cannot write a second row under (user_id, name).
    CommandResult first = run(R"([{"id":"a","name":"same"},{"id":"b","name":"same"}])");
    INFO(first.out << first.err);
    CHECK(first.exit_code == 3);
    CHECK(target->Query("SELECT legacy_id FROM envs") == Rows{{"a"}});
    std::string rejects = ReadFile(work / "rejects.ndjson");
    CHECK(rejects.find(R"(also that of record \"a\")") != std::string::npos);
    // In a later run the row is there: the record adopts it (skip keeps it as it is).
    CommandResult second = run(R"([{"id":"c","name":"same"}])");
    INFO(second.out << second.err);
    CHECK(second.exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM envs") == 1);
    CHECK(target->Query("SELECT ulid FROM " + target->Bookkeeping("id_map") +
                        " WHERE legacy_id = 'c'") ==
          target->Query("SELECT id FROM envs WHERE legacy_id = 'a'"));
  }
}

TEST_CASE("conflicts: a first load in batches of one finds what its own earlier batches wrote",
          "[e2e][sqlite][postgres][conflicts]") {
  // A first load reads no row back (the table holds none of the user's), except under the keys
  // its earlier batches wrote (agent/run/written_keys.h): the outcome is the read-back's.
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string mapping = work / "envs.yaml";
    std::ofstream(mapping) << R"(version: 1
name: envs
entities:
  envs:
    source: {keys: [envs], shape: array}
    schema: {type: object}
    id: {field: id}
    primary_key: [id]
    unique: [[user_id, legacy_id], [user_id, name]]
    columns:
      id: {type: ulid, from: $ulid}
      user_id: {type: text, from: $user, nullable: false}
      legacy_id: {type: text, from: $legacy_id, nullable: false}
      name: {type: text, from: name}
)";
    std::string dump = work / "u.json";
    auto run = [&](const std::string& user, const std::string& envs) {
      WriteDump(dump, {{"envs", envs}});
      return RunFerry({"migrate", dump, "--user-id", user, "--target", target->url(), "--mapping",
                       mapping, "--batch-size", "1", "--progress", "none"});
    };
    CommandResult other = run("v", R"([{"id":"a","name":"same"}])");  // another user's row
    INFO(other.out << other.err);
    REQUIRE(other.exit_code == 0);
    CommandResult first = run("u", R"([{"id":"a","name":"same"},{"id":"b","name":"same"},)"
                                   R"({"id":"c","name":"other"}])");
    INFO(first.out << first.err);
    CHECK(first.exit_code == 0);
    CHECK(target->Query("SELECT legacy_id FROM envs WHERE user_id = 'u' ORDER BY legacy_id") ==
          Rows{{"a"}, {"c"}});
    // "b" met a's row, written by the batch before it, under (user_id, name): it adopts it.
    CHECK(target->Query("SELECT ulid FROM " + target->Bookkeeping("id_map") +
                        " WHERE user_id = 'u' AND legacy_id = 'b'") ==
          target->Query("SELECT id FROM envs WHERE user_id = 'u' AND legacy_id = 'a'"));
  }
}

}  // namespace ferry::e2e::conflict_outcome_test
