// End-to-end: moving the tables of an app database (tools/make_app_db.py) into each target
// with the mapping proposed from its catalog (issue 18): every foreign key points to the same
// parent as before (the join on the old keys equals the join on the new ones), every ULID's
// time is its row's creation time, and each planted orphan is rejected, named by its table,
// column and value. The self-reference tasks.parent_id too: loaded in two passes, a child
// before its parent in key order included.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <set>

#include "tests/e2e/app_db.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry::e2e::database_migrate_test {
namespace {

std::string MakeAppDb(const TempDir& dir, const std::string& keys, int rows) {
  std::string path = dir / ("app-" + keys + ".db");
  CommandResult made =
      RunShell(fmt::format("python3 '{}/tools/make_app_db.py' --keys {} --rows {} --out '{}' 2>&1",
                           SourceDir().string(), keys, rows, path));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  return path;
}

std::multiset<std::pair<std::string, std::string>> Pairs(
    const std::vector<std::vector<std::string>>& rows) {
  std::multiset<std::pair<std::string, std::string>> pairs;
  for (const auto& row : rows) pairs.emplace(row.at(0), row.at(1));
  return pairs;
}

TEST_CASE("migrate sqlite: foreign keys rewritten to the same parents, ULID time = creation time",
          "[e2e][migrate][sqlite][postgresql]") {
  const std::string keys = GENERATE(std::string("int"), std::string("uuid"));
  TempDir dir;
  std::string db = MakeAppDb(dir, keys, 2000);
  std::string before = FileSha256(db);
  FERRY_FOR_EACH_TARGET(target) {
    std::string json_report = dir / (target->kind() + "-report.json");
    std::string rejects = dir / (target->kind() + "-rejects.ndjson");
    CommandResult run =
        RunFerry({"migrate", "sqlite:" + db, "--user-id", "app", "--target", target->url(),
                  "--no-backup", "--continue-on-error", "--max-reject-rate", "0.5", "--rejects",
                  rejects, "--progress", "none", "--report", json_report});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 3);  // done, with the orphans rejected
    CHECK(FileSha256(db) == before);

    std::string rejected = ReadFile(rejects);
    for (const AppDbReference& ref : kAppDbReferences) {
      INFO(ref.table << "." << ref.column);
      // The join on the old keys, orphans left out, equals the join on the new keys; for the
      // self-reference too, whose children come before their parents as often as after.
      auto old_pairs = Pairs(Query(db, LoadedPairs(ref)));
      auto new_pairs = Pairs(target->Query(MigratedPairs(ref)));
      CHECK(old_pairs.size() > 10);
      CHECK(new_pairs == old_pairs);
      // Every orphan is named: its table, the column and the value that names no parent.
      auto orphans = Query(db, fmt::format("SELECT {1} FROM {0} WHERE {1} IS NOT NULL AND {1} "
                                           "NOT IN (SELECT id FROM {2})",
                                           ref.table, ref.column, ref.parent));
      CHECK(orphans.size() == 3);
      for (const auto& orphan : orphans) {
        std::string value = keys == "int" ? orphan[0] : "\"" + orphan[0] + "\"";
        CHECK_THAT(rejected, Catch::Contains(fmt::format(R"("key":"{}")", ref.table)) &&
                                 Catch::Contains(fmt::format(R"("pointer":"/{}")", ref.column)) &&
                                 Catch::Contains(fmt::format(R"("value":{})", value)));
      }
    }
    // Each ULID's time is its row's creation time (tags has none: the time of the run).
    for (const char* table : {"users", "orders", "tasks"}) {
      auto rows = target->Query(fmt::format("SELECT id, created_at FROM {}", table));
      REQUIRE_FALSE(rows.empty());
      for (const auto& row : rows) {
        Result<Ulid> ulid = DecodeUlid(row.at(0));
        REQUIRE(ulid.ok());
        std::optional<int64_t> created = ParseRfc3339Millis(row.at(1));
        REQUIRE(created);
        CHECK(static_cast<int64_t>(ulid->time_ms()) == *created);
      }
    }
    // tags has no creation column: the report says its ULIDs took the time of the run.
    CHECK_THAT(run.out, Catch::Contains("ULIDs timed by the run (no creation time): tags\n"));
    CHECK_THAT(ReadFile(json_report), Catch::Contains(R"("timed_by_run":["tags"])"));
    // tasks: every row whose parents are all there is loaded, children before their parents
    // in key order (forward references) among them.
    CHECK(std::stoll(Query(db,
                           "SELECT count(*) FROM tasks c JOIN tasks p ON p.id = c.parent_id "
                           "WHERE c.id < p.id")[0][0]) > 10);
    CHECK(target->Count("SELECT count(*) FROM tasks") ==
          std::stoll(Query(db, "SELECT count(*) FROM (" + LoadableKeys("tasks") + ") t")[0][0]));
    CHECK(target->Count("SELECT count(*) FROM tags") ==
          std::stoll(Query(db, "SELECT count(*) FROM tags")[0][0]) - 3);
  }
}

TEST_CASE("migrate sqlite --dry-run: rejects what the run rejects, no child an orphan",
          "[e2e][migrate][sqlite]") {
  // Each table is a unit; a dry run writes no id map, so the parents of the tables before
  // must be kept for it, or every child is rejected as an orphan.
  TempDir dir;
  std::string db = MakeAppDb(dir, "int", 1000);
  auto run = [&](const std::string& name, bool dry) {
    std::vector<std::string> args = {"migrate",           "sqlite:" + db,
                                     "--user-id",         "app",
                                     "--target",          "sqlite:" + (dir / (name + ".db")),
                                     "--no-backup",       "--continue-on-error",
                                     "--max-reject-rate", "0.5",
                                     "--rejects",         dir / (name + ".ndjson"),
                                     "--progress",        "none"};
    if (dry) args.push_back("--dry-run");
    CommandResult result = RunFerry(args);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 3);
    std::string rejects = ReadFile(dir / (name + ".ndjson"));
    return std::count(rejects.begin(), rejects.end(), '\n');
  };
  auto dry = run("dry", true);
  auto real = run("real", false);
  CHECK(real >= 24);  // 3 orphans per foreign key, and the children of rejected tasks
  CHECK(real < 40);
  CHECK(dry == real);
}

TEST_CASE(
    "migrate sqlite: killed while loading a self-referencing table, the rerun resumes it "
    "to the same parents",
    "[e2e][migrate][sqlite][faults]") {
  TempDir dir;
  std::string db = MakeAppDb(dir, "int", 2000);
  std::string target = "sqlite:" + (dir / "t.db");
  std::vector<std::string> args = {
      "migrate",     "sqlite:" + db,         "--user-id",         "app", "--target",     target,
      "--no-backup", "--continue-on-error",  "--max-reject-rate", "0.5", "--batch-size", "50",
      "--rejects",   dir / "rejects.ndjson", "--progress",        "none"};
  // Every table but tasks first (each batch one commit), then the kill two batches before the
  // end of tasks: in its second pass, or the end of its first (both must resume).
  int64_t commits = 0;
  for (const char* table :
       {"users", "clinics", "dashboards", "journal_entries", "orders", "reminders", "tags"}) {
    int64_t rows = std::stoll(Query(db, fmt::format("SELECT count(*) FROM {}", table))[0][0]);
    commits += (rows + 49) / 50;
  }
  int64_t tasks = std::stoll(Query(db, "SELECT count(*) FROM tasks")[0][0]);
  std::string point = fmt::format("sqlite.after_commit:{}", commits + (tasks + 49) / 50 - 1);
  CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", point}});
  INFO(Describe(killed));
  REQUIRE(killed.exit_code == 128 + SIGKILL);
  CommandResult resumed = RunFerry(args);
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 3);  // done, with the orphans rejected
  for (const AppDbReference& ref : kAppDbReferences) {
    INFO(ref.table << "." << ref.column);
    auto old_pairs = Pairs(Query(db, LoadedPairs(ref)));
    auto new_pairs = Pairs(Query(dir / "t.db", MigratedPairs(ref)));
    CHECK(old_pairs.size() > 10);
    CHECK(new_pairs == old_pairs);
  }
  CHECK(std::stoll(Query(dir / "t.db", "SELECT count(*) FROM tasks")[0][0]) ==
        std::stoll(Query(db, "SELECT count(*) FROM (" + LoadableKeys("tasks") + ") t")[0][0]));
}

}  // namespace
}  // namespace ferry::e2e::database_migrate_test
