// End-to-end, issue 17's tenth session: a row inserted into a table keyed by its user and legacy
// id (user_preferences, form_data, custom_data) gets no pre-image and no sync before its batch
// commits, on every target (target_fixture.h); a kill right after such a commit leaves an
// archive without those records, and the rollback still gives back the target exactly (it
// derives them from the run's id map). A row that was there is still synced before its commit.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::rollback_user_keyed_test {

namespace {

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

// The example store with only its userPreferences (its theme set to `theme`) and schemaVersion:
// a run of it writes one user_preferences row and nothing else.
std::string PreferencesDump(const TempDir& work, const std::string& name,
                            const std::string& theme) {
  std::string out = work / name;
  std::string script =
      "import json,sys\n"
      "d=json.load(open(sys.argv[1]))\n"
      "o=d['http://127.0.0.1:8000']\n"
      "p=json.loads(o['userPreferences']); p['theme']=sys.argv[3]\n"
      "d={'http://127.0.0.1:8000': {'userPreferences': json.dumps(p), "
      "'schemaVersion': o['schemaVersion']}}\n"
      "json.dump(d,open(sys.argv[2],'w'))\n";
  std::string script_file = work / (name + ".py");
  RunShell("cat > '" + script_file + "' <<'PYEOF'\n" + script + "PYEOF");
  CommandResult made = RunShell("python3 '" + script_file + "' '" + ExampleDump() + "' '" + out +
                                "' '" + theme + "'");
  REQUIRE(made.exit_code == 0);
  return out;
}

struct Setup {
  TempDir work;
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
  std::string user = "demo";

  CommandResult Migrate(TargetFixture& target, const std::string& dump, const std::string& conflict,
                        const std::string& fault = "") {
    std::map<std::string, std::string> with = env;
    if (!fault.empty()) with["FERRY_FAULT"] = fault;
    return RunFerry({"migrate", dump, "--user-id", user, "--target", target.url(),
                     "--continue-on-error", "--progress", "none", "--conflict", conflict,
                     "--backup-dir", work / "b", "--rejects", work / "rejects.ndjson"},
                    with);
  }
  CommandResult RollBackNewest(TargetFixture& target) {
    std::string run = target.Query("SELECT run_id FROM " + target.Bookkeeping("runs") +
                                   " ORDER BY started_at DESC, run_id DESC LIMIT 1")[0][0];
    return RunFerry(
        {"rollback", "--target", target.url(), "--backup-dir", work / "b", "--run", run}, env);
  }
};

bool Done(const CommandResult& run) { return run.exit_code == 0 || run.exit_code == 3; }

}  // namespace

TEST_CASE(
    "rollback: a load killed after each commit, before its records reached the archive, "
    "is undone exactly, user_preferences rows included",
    "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    setup.user = "newcomer";  // every row of this load is an insert: no batch is synced
    bool preferences_left = false;
    for (int commit = 1;; ++commit) {
      INFO("killed after commit " << commit);
      REQUIRE(commit < 20);
      const std::string fault =
          (target->kind() == "sqlite" ? "sqlite.after_commit:" : "pg.after_commit:") +
          std::to_string(commit);
      CommandResult killed = setup.Migrate(*target, ExampleDump(), "skip", fault);
      if (Done(killed)) break;  // fewer commits than that
      REQUIRE(killed.exit_code == 128 + 9);
      preferences_left =
          preferences_left ||
          target->Count("SELECT count(*) FROM user_preferences WHERE user_id = 'newcomer'") > 0;
      CommandResult undo = setup.RollBackNewest(*target);
      INFO(undo.out << undo.err);
      REQUIRE(undo.exit_code == 0);
      CHECK_THAT(undo.out, Catch::Contains("left unfinished by a killed session"));
      CHECK(ExactContents(*target) == before);
    }
    CHECK(preferences_left);  // some kill came after the preferences' commit
  }
}

TEST_CASE(
    "rollback: an inserted user_preferences row is not synced before its commit, a changed "
    "one is",
    "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    const std::string dark = PreferencesDump(setup.work, "dark.json", "dark");

    // A new user's preferences: the run never syncs the archive (the fault point after each
    // sync would kill it), and its rollback deletes the row all the same.
    setup.user = "newcomer";
    CommandResult inserted = setup.Migrate(*target, dark, "overwrite", "preimage.after_flush:1");
    INFO(inserted.out << inserted.err);
    REQUIRE(Done(inserted));
    REQUIRE(target->Count("SELECT count(*) FROM user_preferences WHERE user_id = 'newcomer'") == 1);
    CommandResult undo = setup.RollBackNewest(*target);
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK(ExactContents(*target) == before);

    // The loaded user's preferences, changed: synced before the commit (killed between the two,
    // nothing changed), then resumed and rolled back exactly.
    setup.user = "demo";
    CommandResult changed = setup.Migrate(*target, dark, "overwrite", "preimage.after_flush:1");
    CHECK(changed.exit_code == 128 + 9);
    CHECK(ExactContents(*target) == before);
    REQUIRE(Done(setup.Migrate(*target, dark, "overwrite")));
    REQUIRE(ExactContents(*target) != before);
    CommandResult back = setup.RollBackNewest(*target);
    INFO(back.out << back.err);
    REQUIRE(back.exit_code == 0);
    CHECK(ExactContents(*target) == before);
  }
}

}  // namespace ferry::e2e::rollback_user_keyed_test
