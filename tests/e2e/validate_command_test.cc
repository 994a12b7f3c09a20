// End-to-end `ferry validate` on every target (target_fixture.h): the real binary after a real
// migrate of the example dump; then a row altered, a row deleted, an unknown run; the row
// counts and ULIDs; a source gone or changed since the run, read from its backup.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/e2e/app_tables.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::validate_command_test {

namespace {

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

void MigrateExample(TargetFixture& target) {
  TempDir work;
  CommandResult migrate =
      RunFerry({"migrate", ExampleDump(), "--user-id", "demo", "--target", target.url(),
                "--continue-on-error", "--progress", "none", "--rejects", work / "rejects.ndjson"});
  INFO(migrate.err);
  REQUIRE(migrate.exit_code == 3);  // done, with the example's invalid records rejected
}

}  // namespace

TEST_CASE("validate: a clean run validates, an altered and a deleted row are named",
          "[e2e][validate][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    MigrateExample(*target);
    std::string fingerprint = target->Fingerprint();
    CommandResult clean = RunFerry({"validate", "--target", target->url()});
    INFO(clean.out << clean.err);
    REQUIRE(clean.exit_code == 0);
    CHECK_THAT(clean.out, Catch::Contains("valid: every valid record's row is in the target"));
    CHECK(target->Fingerprint() == fingerprint);  // validate writes nothing

    std::vector<std::vector<std::string>> ids =
        target->Query("SELECT legacy_id FROM tasks ORDER BY legacy_id LIMIT 2");
    REQUIRE(ids.size() == 2);
    const std::string& altered = ids[0][0];
    const std::string& deleted = ids[1][0];
    AppExec(*target,
            "UPDATE tasks SET title = 'changed by hand' WHERE legacy_id = '" + altered + "'");
    AppExec(*target, "DELETE FROM tasks WHERE legacy_id = '" + deleted + "'");

    CommandResult found = RunFerry({"validate", "--target", target->url()});
    INFO(found.out << found.err);
    CHECK(found.exit_code == 3);
    CHECK_THAT(found.out, Catch::Contains("differs: tasks legacy id " + altered + ": title"));
    CHECK_THAT(found.out,
               Catch::Contains("missing: tasks legacy id " + deleted + ": no row in the target"));
    CHECK_THAT(found.out, Catch::Contains("differences: 2 (rows missing"));
  }
}

TEST_CASE("validate: a row whose reference names no parent row is named",
          "[e2e][validate][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    MigrateExample(*target);
    // Written by hand, not by the run: validate finds it all the same.
    AppExec(*target,
            "INSERT INTO tasks (id, user_id, legacy_id, title, environment_id) VALUES "
            "('01HZZZZZZZZZZZZZZZZZZZZZZZ', 'hand', 'x1', 't', '01HAAAAAAAAAAAAAAAAAAAAAAA')");
    CommandResult found = RunFerry({"validate", "--target", target->url()});
    INFO(found.out << found.err);
    CHECK(found.exit_code == 3);
    CHECK_THAT(found.out,
               Catch::Contains("dangling: 1 row(s) of tasks whose environment_id names no row "
                               "of environments"));
    CHECK_THAT(found.out, Catch::Contains("dangling: tasks key 01HZZZZZZZZZZZZZZZZZZZZZZZ: "
                                          "environment_id 01HAAAAAAAAAAAAAAAAAAAAAAA"));
  }
}

TEST_CASE("validate: no run, or an unknown one, is a usage error",
          "[e2e][validate][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult none = RunFerry({"validate", "--target", target->url()});
    CHECK(none.exit_code == 2);
    CHECK_THAT(none.err, Catch::Contains("records no completed run"));
    CHECK_FALSE(target->Touched());

    MigrateExample(*target);
    CommandResult unknown = RunFerry({"validate", "--target", target->url(), "--run", "NOPE"});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("records no run NOPE"));
  }
}

}  // namespace ferry::e2e::validate_command_test

namespace ferry::e2e::validate_command_test {

namespace {

constexpr char kBackupKey[] = "8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

}  // namespace

TEST_CASE("validate: counts the target's rows against the source and checks every ULID",
          "[e2e][validate][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    MigrateExample(*target);
    TempDir work;
    CommandResult clean =
        RunFerry({"validate", "--target", target->url(), "--report", work / "v.json"});
    INFO(clean.out << clean.err);
    REQUIRE(clean.exit_code == 0);
    int64_t tasks = target->Count("SELECT count(*) FROM tasks");
    CHECK_THAT(clean.out, Catch::Contains(fmt::format("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
                                                      "tasks", tasks, tasks, 0, tasks, 0, 0)));
    nlohmann::json report = nlohmann::json::parse(ReadFile(work / "v.json"));
    CHECK(report["exit_code"] == 0);
    CHECK(report["entities"][0]["entity"] == "environments");
    CHECK(report["entities"][1]["target_rows"] == tasks);
    CHECK(report["entities"][1]["ulids_checked"] == tasks);

    std::vector<std::vector<std::string>> ids =
        target->Query("SELECT legacy_id, id FROM tasks ORDER BY legacy_id LIMIT 2");
    REQUIRE(ids.size() == 2);
    std::string lowered = ids[0][1];
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string moved = "7" + ids[1][1].substr(1);  // well-formed, another time
    // PostgreSQL's ulid column checks the form itself: only SQLite can hold a malformed one.
    const bool sqlite = target->kind() == "sqlite";
    if (sqlite) {
      AppExec(*target,
              "UPDATE tasks SET id = '" + lowered + "' WHERE legacy_id = '" + ids[0][0] + "'");
    }
    AppExec(*target, "UPDATE tasks SET id = '" + moved + "' WHERE legacy_id = '" + ids[1][0] + "'");
    AppExec(*target,
            "INSERT INTO tasks (id, user_id, legacy_id, title) VALUES "
            "('01HZZZZZZZZZZZZZZZZZZZZZZZ', 'demo', 'by-hand', 't')");
    CommandResult found =
        RunFerry({"validate", "--target", target->url(), "--report", work / "v.json"});
    INFO(found.out << found.err);
    CHECK(found.exit_code == 3);
    if (sqlite) {
      CHECK_THAT(found.out, Catch::Contains("ULID " + lowered + " is not in canonical form"));
    }
    CHECK_THAT(found.out,
               Catch::Contains("ulid: tasks key " + moved + ": ULID " + moved + " holds the time"));
    CHECK_THAT(found.out, Catch::Contains("row(s) of the run's users that no valid record"));
    report = nlohmann::json::parse(ReadFile(work / "v.json"));
    CHECK(report["exit_code"] == 3);
    CHECK(report["entities"][1]["target_rows"] == tasks + 1);
    CHECK(report["entities"][1]["bad_ulids"] == (sqlite ? 1 : 0));
    CHECK(report["entities"][1]["ulid_times"] == 1);
  }
}

TEST_CASE("validate: a source gone or changed since the run is read from the run's backup",
          "[e2e][validate][backup][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::filesystem::copy_file(ExampleDump(), work / "dump.json");
    std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kBackupKey}};
    CommandResult migrate =
        RunFerry({"migrate", work / "dump.json", "--user-id", "demo", "--target", target->url(),
                  "--continue-on-error", "--progress", "none", "--rejects", work / "rejects.ndjson",
                  "--backup-dir", work / "b"},
                 env);
    INFO(migrate.err);
    REQUIRE(migrate.exit_code == 3);
    // Changed: the run's records are still what validate compares with.
    WriteDump(work / "dump.json", {{"tasks", "[]"}});
    CommandResult changed =
        RunFerry({"validate", "--target", target->url(), "--backup-dir", work / "b"}, env);
    INFO(changed.out << changed.err);
    CHECK(changed.exit_code == 0);
    CHECK_THAT(changed.out, Catch::Contains("records read from backup "));
    // Gone.
    std::filesystem::remove(work / "dump.json");
    CommandResult gone =
        RunFerry({"validate", "--target", target->url(), "--backup-dir", work / "b"}, env);
    INFO(gone.out << gone.err);
    CHECK(gone.exit_code == 0);
    CHECK_THAT(gone.out, Catch::Contains("valid: every valid record's row is in the target"));
    // No archive of the run there, or the wrong key.
    CommandResult elsewhere =
        RunFerry({"validate", "--target", target->url(), "--backup-dir", work / "none"}, env);
    CHECK(elsewhere.exit_code == 2);
    CHECK_THAT(elsewhere.err, Catch::Contains("no backup of run"));
    std::string wrong(kBackupKey);
    wrong[0] = '0';
    CommandResult wrong_key =
        RunFerry({"validate", "--target", target->url(), "--backup-dir", work / "b"},
                 {{"FERRY_BACKUP_KEY", wrong}});
    CHECK(wrong_key.exit_code == 1);
    CHECK(wrong_key.err.find(kBackupKey) == std::string::npos);
    CHECK(wrong_key.err.find(wrong) == std::string::npos);
  }
}

}  // namespace ferry::e2e::validate_command_test
