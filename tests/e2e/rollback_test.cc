// End-to-end `ferry rollback` on every target (target_fixture.h): a run that inserted,
// overwrote and merged is undone exactly; so is a run killed and resumed; a rollback killed
// before its commit leaves the target as it was and the same command then finishes it; so is a
// run killed and never resumed; a run whose rows a later run changed again is refused until the
// later one is rolled back.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/under_sanitizer.h"

namespace ferry::e2e::rollback_test {

namespace {

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

// The example dump with the titles of its first `changed` tasks altered and `added` new tasks.
std::string ChangedDump(const TempDir& work, const std::string& name, int changed, int added) {
  std::string out = work / name;
  std::string script =
      "import json,sys\n"
      "d=json.load(open(sys.argv[1]))\n"
      "o=d['http://127.0.0.1:8000']\n"
      "t=json.loads(o['tasks'])\n"
      "for i in range(int(sys.argv[3])): t[i]['title']=t[i]['title']+' (changed '+sys.argv[2]+')'\n"
      "for i in range(int(sys.argv[4])):\n"
      "  n=dict(t[0]); n['id']='added-'+sys.argv[2]+'-'+str(i); n['title']='new '+str(i); "
      "t.append(n)\n"
      "o['tasks']=json.dumps(t)\n"
      "json.dump(d,open(sys.argv[2],'w'))\n";
  std::string script_file = work / (name + ".py");
  RunShell("cat > '" + script_file + "' <<'PYEOF'\n" + script + "PYEOF");
  CommandResult made = RunShell("python3 '" + script_file + "' '" + ExampleDump() + "' '" + out +
                                "' " + std::to_string(changed) + " " + std::to_string(added));
  REQUIRE(made.exit_code == 0);
  return out;
}

// The example dump with `count` more tasks, "many-0"..., their titles ending in `suffix`: two
// such dumps of different suffixes change every one of those tasks.
std::string ManyTasksDump(const TempDir& work, const std::string& name, int count,
                          const std::string& suffix) {
  std::string out = work / name;
  std::string script =
      "import json,sys\n"
      "d=json.load(open(sys.argv[1]))\n"
      "o=d['http://127.0.0.1:8000']\n"
      "t=json.loads(o['tasks'])\n"
      "for i in range(int(sys.argv[3])):\n"
      "  n=dict(t[0]); n['id']='many-'+str(i); n['title']='task '+str(i)+sys.argv[4]; "
      "t.append(n)\n"
      "o['tasks']=json.dumps(t)\n"
      "json.dump(d,open(sys.argv[2],'w'))\n";
  std::string script_file = work / (name + ".py");
  RunShell("cat > '" + script_file + "' <<'PYEOF'\n" + script + "PYEOF");
  CommandResult made = RunShell("python3 '" + script_file + "' '" + ExampleDump() + "' '" + out +
                                "' " + std::to_string(count) + " '" + suffix + "'");
  REQUIRE(made.exit_code == 0);
  return out;
}

struct Setup {
  TempDir work;
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
  std::string user = "demo";  // whose store the dumps are

  CommandResult Migrate(TargetFixture& target, const std::string& dump, const std::string& conflict,
                        const std::map<std::string, std::string>& extra = {},
                        const std::vector<std::string>& more_args = {}) {
    std::map<std::string, std::string> with = env;
    with.insert(extra.begin(), extra.end());
    std::vector<std::string> args = {"migrate",
                                     dump,
                                     "--user-id",
                                     user,
                                     "--target",
                                     target.url(),
                                     "--continue-on-error",
                                     "--progress",
                                     "none",
                                     "--conflict",
                                     conflict,
                                     "--backup-dir",
                                     work / "b",
                                     "--rejects",
                                     work / "rejects.ndjson"};
    args.insert(args.end(), more_args.begin(), more_args.end());
    return RunFerry(args, with);
  }
  CommandResult Rollback(TargetFixture& target, const std::vector<std::string>& how,
                         const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> with = env;
    with.insert(extra.begin(), extra.end());
    std::vector<std::string> args = {"rollback", "--target", target.url(), "--backup-dir",
                                     work / "b"};
    args.insert(args.end(), how.begin(), how.end());
    return RunFerry(args, with);
  }
  // The id of the newest run.
  std::string NewestRun(TargetFixture& target) {
    return target.Query("SELECT run_id FROM " + target.Bookkeeping("runs") +
                        " ORDER BY started_at DESC, run_id DESC LIMIT 1")[0][0];
  }
};

bool Done(const CommandResult& run) { return run.exit_code == 0 || run.exit_code == 3; }

}  // namespace

TEST_CASE("rollback: runs that inserted, overwrote and merged are undone exactly",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    for (const std::string conflict : {"overwrite", "merge"}) {
      INFO(conflict);
      std::string dump = ChangedDump(setup.work, conflict + ".json", 5, 3);
      REQUIRE(Done(setup.Migrate(*target, dump, conflict)));
      REQUIRE(ExactContents(*target) != before);
      std::string run = setup.NewestRun(*target);

      CommandResult dry = setup.Rollback(*target, {"--run", run, "--dry-run"});
      REQUIRE(dry.exit_code == 0);
      CHECK_THAT(dry.out, Catch::Contains("would roll back: 3 row(s) deleted, 5 restored"));
      CHECK(ExactContents(*target) != before);

      CommandResult undo = setup.Rollback(*target, {"--run", run});
      REQUIRE(undo.exit_code == 0);
      CHECK_THAT(undo.out, Catch::Contains("rolled back: 3 row(s) deleted, 5 restored"));
      CHECK(ExactContents(*target) == before);
      CHECK(target->Query("SELECT status FROM " + target->Bookkeeping("runs") +
                          " WHERE run_id = '" + run + "'")[0][0] == "rolled_back");
      CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("audit_log") +
                          " WHERE action = 'rollback' AND run_id = '" + run + "'") == 1);
      CommandResult again = setup.Rollback(*target, {"--run", run});
      CHECK(again.exit_code == 0);
      CHECK_THAT(again.out, Catch::Contains("rolled back already"));
      CHECK(ExactContents(*target) == before);
    }
    // The first run too: back to an empty target.
    std::string first = target->Query("SELECT run_id FROM " + target->Bookkeeping("runs") +
                                      " ORDER BY started_at LIMIT 1")[0][0];
    REQUIRE(setup.Rollback(*target, {"--run", first}).exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) == 0);
  }
}

// Issue 17: a first load records no pre-image of a row it inserts keyed by its id-map ULID
// (tasks, environments), nor (ninth session) of that row's id-map row, nor (tenth) of a row
// keyed by its user and legacy id (user_preferences, form_data, custom_data) and its id-map
// row: the archive holds the checkpoints' records, and the rollback finds the rest by the
// run's id map.
TEST_CASE("rollback: a first load's rows whose records the archive does not hold are deleted",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string run = setup.NewestRun(*target);
    auto count = [&](const std::string& table) {
      return target->Count("SELECT count(*) FROM " + table);
    };
    const int64_t ulid_keyed = count("tasks") + count("environments");
    const int64_t other_rows =
        count("user_preferences") + count("form_data") + count("custom_data");
    // Only the checkpoints have records: since the tenth session no row of the tables keyed by
    // their user and legacy id either, nor their id-map rows.
    const int64_t checkpoints = count(target->Bookkeeping("checkpoints"));
    REQUIRE(ulid_keyed > 0);
    REQUIRE(other_rows > 0);

    CommandResult list = RunFerry({"backup", "list", "--backup-dir", setup.work / "b"}, setup.env);
    REQUIRE(list.exit_code == 0);
    const std::string archive = list.out.substr(0, list.out.find_first_of(" \t"));
    CommandResult verify =
        RunFerry({"backup", "verify", archive, "--backup-dir", setup.work / "b"}, setup.env);
    INFO(verify.out << verify.err);
    REQUIRE(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains(std::to_string(checkpoints) + " pre-image records"));

    CommandResult dry = setup.Rollback(*target, {"--run", run, "--dry-run"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK_THAT(dry.out,
               Catch::Contains("would roll back: " + std::to_string(ulid_keyed + other_rows) +
                               " row(s) deleted, 0 restored"));
    CommandResult undo = setup.Rollback(*target, {"--run", run});
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    for (const char* table :
         {"tasks", "environments", "user_preferences", "form_data", "custom_data"}) {
      INFO(table);
      CHECK(count(table) == 0);
    }
    CHECK(count(target->Bookkeeping("id_map")) == 0);
    CHECK(count(target->Bookkeeping("checkpoints")) == 0);
  }
}

// The PostgreSQL target puts rows back a thousand to a statement (rollback_writer.cc): a run
// that deleted and restored several batches' worth, id-map rows too, is undone exactly.
TEST_CASE("rollback: a run of more rows than one rollback statement takes is undone exactly",
          "[e2e][rollback][sqlite][postgres]") {
  // Under ASan 1,200 (two statements of each kind, as 2,500 make three): the statements'
  // chunking is the path; more rows repeat it.
  const int many = testing::PlainOrSanitized(2500, 1200);
  const std::string n = std::to_string(many);
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ManyTasksDump(setup.work, "a.json", many, ""), "skip")));
    const std::string before = ExactContents(*target);
    // The `many` tasks changed and as many more: both kinds of rows over several statements.
    REQUIRE(Done(setup.Migrate(*target, ManyTasksDump(setup.work, "b.json", 2 * many, " (v2)"),
                               "overwrite")));
    REQUIRE(ExactContents(*target) != before);
    std::string run = setup.NewestRun(*target);
    CommandResult undo = setup.Rollback(*target, {"--run", run});
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK_THAT(undo.out,
               Catch::Contains("rolled back: " + n + " row(s) deleted, " + n +
                               " restored; id map: " + n + " deleted, " + n + " restored"));
    CHECK(ExactContents(*target) == before);
  }
}

TEST_CASE("rollback: a run killed and resumed is undone exactly",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    std::string dump = ChangedDump(setup.work, "changed.json", 5, 3);
    std::string fault = target->kind() == "sqlite" ? "sqlite.after_commit:1" : "pg.after_commit:1";
    CommandResult killed = setup.Migrate(*target, dump, "overwrite", {{"FERRY_FAULT", fault}});
    REQUIRE(killed.exit_code == 128 + 9);
    CommandResult resumed = setup.Migrate(*target, dump, "overwrite");
    REQUIRE(Done(resumed));
    CHECK_THAT(resumed.out + resumed.err, Catch::Contains("resum"));
    std::string run = setup.NewestRun(*target);
    CommandResult undo = setup.Rollback(*target, {"--run", run});
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK_THAT(undo.out, Catch::Contains("left unfinished by a killed session"));
    CHECK(ExactContents(*target) == before);
  }
}

TEST_CASE(
    "rollback: a first load killed after a commit, before its inserts' pre-images reached "
    "the archive, is undone exactly once the runs after it are",
    "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    // The first batch only inserts: its records are not flushed before it commits, so the
    // kill right after that commit leaves an archive without them.
    std::string fault = target->kind() == "sqlite" ? "sqlite.after_commit:1" : "pg.after_commit:1";
    CommandResult killed = setup.Migrate(*target, ExampleDump(), "skip", {{"FERRY_FAULT", fault}});
    REQUIRE(killed.exit_code == 128 + 9);
    REQUIRE(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) > 0);
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    std::string first = setup.NewestRun(*target);
    REQUIRE(Done(setup.Migrate(*target, ChangedDump(setup.work, "c.json", 5, 3), "overwrite")));
    std::string later = setup.NewestRun(*target);
    REQUIRE(later != first);

    // The later run changed rows the first inserted: it goes first.
    CommandResult refused = setup.Rollback(*target, {"--run", first});
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code != 0);
    CHECK_THAT(refused.err, Catch::Contains("roll back run " + later + " first"));
    REQUIRE(setup.Rollback(*target, {"--run", later}).exit_code == 0);

    CommandResult undo = setup.Rollback(*target, {"--run", first});
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK_THAT(undo.out, Catch::Contains("left unfinished by a killed session"));
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("checkpoints")) == 0);
  }
}

TEST_CASE("rollback: a run killed and never resumed is undone exactly, id map and checkpoints too",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    const std::string fault =
        target->kind() == "sqlite" ? "sqlite.after_commit:2" : "pg.after_commit:2";
    Setup setup;
    // A first load killed after its second batch (of 50 rows), before their records reached the
    // archive: every row it left is derived from its id-map rows.
    CommandResult first = setup.Migrate(*target, ExampleDump(), "skip", {{"FERRY_FAULT", fault}},
                                        {"--batch-size", "50"});
    REQUIRE(first.exit_code == 128 + 9);
    REQUIRE(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) > 0);
    CommandResult undo = setup.Rollback(*target, {"--run", setup.NewestRun(*target)});
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK_THAT(undo.out, Catch::Contains("left unfinished by a killed session"));
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("checkpoints")) == 0);

    // An overwrite killed the same way over a complete load: back to that load exactly.
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    CommandResult killed =
        setup.Migrate(*target, ChangedDump(setup.work, "c.json", 55, 30), "overwrite",
                      {{"FERRY_FAULT", fault}}, {"--batch-size", "50"});
    REQUIRE(killed.exit_code == 128 + 9);
    const std::string run = setup.NewestRun(*target);
    REQUIRE(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map") +
                          " WHERE run_id = '" + run + "'") > 0);
    REQUIRE(ExactContents(*target) != before);
    CommandResult back = setup.Rollback(*target, {"--run", run});
    INFO(back.out << back.err);
    REQUIRE(back.exit_code == 0);
    CHECK(ExactContents(*target) == before);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map") +
                        " WHERE run_id = '" + run + "'") == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("checkpoints") +
                        " WHERE run_id = '" + run + "'") == 0);
  }
}

TEST_CASE("rollback: killed before its commit, the same command then ends in the exact result",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    REQUIRE(Done(setup.Migrate(*target, ChangedDump(setup.work, "c.json", 5, 3), "overwrite")));
    const std::string after = ExactContents(*target);
    std::string run = setup.NewestRun(*target);
    CommandResult killed =
        setup.Rollback(*target, {"--run", run}, {{"FERRY_FAULT", "rollback.before_commit:1"}});
    REQUIRE(killed.exit_code == 128 + 9);
    CHECK(ExactContents(*target) == after);  // nothing of it stayed
    CommandResult rerun = setup.Rollback(*target, {"--run", run});
    REQUIRE(rerun.exit_code == 0);
    CHECK(ExactContents(*target) == before);
  }
}

TEST_CASE("rollback: a run whose rows a later run changed again waits for that one; --before",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    REQUIRE(Done(setup.Migrate(*target, ChangedDump(setup.work, "a.json", 5, 0), "overwrite")));
    std::string second = setup.NewestRun(*target);
    REQUIRE(Done(setup.Migrate(*target, ChangedDump(setup.work, "b.json", 5, 2), "overwrite")));
    std::string third = setup.NewestRun(*target);

    CommandResult refused = setup.Rollback(*target, {"--run", second});
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("roll back run " + third + " first"));

    // Every run begun after the first one, newest first.
    std::string cutoff =
        target->Query("SELECT min(started_at) FROM " + target->Bookkeeping("runs") +
                      " WHERE run_id = '" + second + "'")[0][0];
    CommandResult both = setup.Rollback(*target, {"--before", cutoff});
    INFO(both.out << both.err);
    REQUIRE(both.exit_code == 0);
    CHECK(both.out.find(third) < both.out.find(second));
    CHECK(ExactContents(*target) == before);
  }
}

// Issue 17, ninth session: a first load's archive holds no record of the id-map rows of the rows
// it inserted by their ULIDs. A later run that changed those rows put its own id on their id-map
// rows, so only the checkpoints it left on the same user tell the rollback: refused until the
// later run is rolled back, then exact. A later run of another user only is no obstacle.
TEST_CASE("rollback: a later run that changed rows a first load inserted, unrecorded, goes first",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string first = setup.NewestRun(*target);
    // No record of a tasks id-map row, nor (tenth session) of the rows and id-map rows of the
    // three tables keyed by their user and legacy id: the archive's records are the checkpoints.
    auto count = [&](const std::string& table, const std::string& where = "") {
      return target->Count("SELECT count(*) FROM " + table + where);
    };
    const int64_t tasks = count("tasks");
    REQUIRE(tasks > 5);
    CommandResult list = RunFerry({"backup", "list", "--backup-dir", setup.work / "b"}, setup.env);
    REQUIRE(list.exit_code == 0);
    const std::string archive = list.out.substr(0, list.out.find_first_of(" \t"));
    CommandResult verify =
        RunFerry({"backup", "verify", archive, "--backup-dir", setup.work / "b"}, setup.env);
    REQUIRE(verify.exit_code == 0);
    CHECK_THAT(verify.out,
               Catch::Contains(std::to_string(count(target->Bookkeeping("checkpoints"))) +
                               " pre-image records"));

    // The later run changes five tasks the first one inserted.
    REQUIRE(Done(setup.Migrate(*target, ChangedDump(setup.work, "c.json", 5, 0), "overwrite")));
    const std::string later = setup.NewestRun(*target);
    REQUIRE(later != first);
    REQUIRE(count(target->Bookkeeping("id_map"), " WHERE run_id = '" + later + "'") == 5);
    CommandResult refused = setup.Rollback(*target, {"--run", first});
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("roll back run " + later + " first"));
    CHECK(count("tasks") == tasks);  // nothing undone
    CommandResult dry = setup.Rollback(*target, {"--run", first, "--dry-run"});
    CHECK(dry.exit_code == 2);

    REQUIRE(setup.Rollback(*target, {"--run", later}).exit_code == 0);
    CommandResult undo = setup.Rollback(*target, {"--run", first});
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK(count("tasks") == 0);
    CHECK(count(target->Bookkeeping("id_map")) == 0);
    CHECK(count(target->Bookkeeping("checkpoints")) == 0);

    // Another user's load after a first load does not stand in its way.
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string again = setup.NewestRun(*target);
    setup.user = "someone-else";
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    REQUIRE(setup.NewestRun(*target) != again);
    const int64_t others = count("tasks", " WHERE user_id = 'someone-else'");
    REQUIRE(others == tasks);
    CommandResult other_undo = setup.Rollback(*target, {"--run", again});
    INFO(other_undo.out << other_undo.err);
    REQUIRE(other_undo.exit_code == 0);
    CHECK(count("tasks") == others);
    CHECK(count(target->Bookkeeping("id_map"), " WHERE user_id = 'demo'") == 0);
  }
}

TEST_CASE("rollback: a run stopped by --max-reject-rate rolls itself back",
          "[e2e][rollback][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    REQUIRE(Done(setup.Migrate(*target, ExampleDump(), "skip")));
    const std::string before = ExactContents(*target);
    // The example's invalid records are far more than 0.1 %.
    CommandResult stopped = setup.Migrate(*target, ChangedDump(setup.work, "c.json", 5, 3),
                                          "overwrite", {}, {"--max-reject-rate", "0.001"});
    INFO(stopped.out << stopped.err);
    CHECK(stopped.exit_code == 1);
    CHECK_THAT(stopped.out, Catch::Contains("rolled back: yes: "));
    CHECK(ExactContents(*target) == before);
    std::string run = setup.NewestRun(*target);
    CHECK(target->Query("SELECT status FROM " + target->Bookkeeping("runs") + " WHERE run_id = '" +
                        run + "'")[0][0] == "rolled_back");
  }
}

}  // namespace ferry::e2e::rollback_test
