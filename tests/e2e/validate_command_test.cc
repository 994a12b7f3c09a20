// End-to-end `ferry validate` on every target (target_fixture.h): the real binary after a real
// migrate of the example dump; then a row altered, a row deleted, an unknown run.
#include <catch2/catch.hpp>

#include "tests/e2e/app_tables.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e {

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

}  // namespace ferry::e2e
