// End-to-end: `ferry rekey --strategy add` and `hybrid` on the app database of
// tools/make_app_db.py, in SQLite and in PostgreSQL, integer and UUID keys (issue 18 item 4,
// docs/rekey.md): a dry run writes nothing; a run killed mid-fill, then the same command, ends with
// every row holding a ULID whose time is its creation time, every foreign key's <fk>_ulid naming
// the same parent as the old key (the join on the old keys equals the join on the new ones), the
// planted orphans named, the old columns unchanged, the run in the target's run history, and
// (hybrid) every old key -> ULID in ferry's id map.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>

#include "tests/e2e/app_db.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/rekey_util.h"
#include "tests/e2e/target_fixture.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry::e2e::rekey_add_test {
namespace {

TEST_CASE("rekey add, hybrid: killed mid-fill, then the same command gives the clean result",
          "[e2e][rekey][sqlite][postgresql]") {
  const std::string keys = GENERATE(std::string("int"), std::string("uuid"));
  const std::string strategy = GENERATE(std::string("add"), std::string("hybrid"));
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    std::string plan = LoadAppDatabase(*target, keys, dir);
    const std::string users = "SELECT id, email, name, created_at FROM users ORDER BY id";
    auto before = target->Query(users);
    std::string fingerprint = target->Fingerprint();
    std::vector<std::string> args = {"rekey",        target->url(),       "--plan",     plan,
                                     "--batch-size", AppDbBatchSize(100), "--strategy", strategy};

    std::vector<std::string> dry = args;
    dry.push_back("--dry-run");
    CommandResult looked = RunFerry(dry);
    INFO(looked.out << looked.err);
    REQUIRE(looked.exit_code == 0);
    CHECK(looked.out.find("would add tasks.id_ulid") != std::string::npos);
    CHECK(looked.out.find("would fill tasks.parent_id_ulid from tasks.id_ulid") !=
          std::string::npos);
    CHECK(target->Fingerprint() == fingerprint);

    // Killed after the 12th batch: some tables have ULIDs, others not yet.
    CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", "rekey.batch_committed:12"}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code != 0);
    CHECK(target->Count("SELECT COUNT(*) FROM users WHERE id_ulid IS NOT NULL") > 0);
    CHECK(target->Count("SELECT COUNT(*) FROM tasks WHERE id_ulid IS NULL") > 0);

    CommandResult resumed = RunFerry(args);
    INFO(resumed.out << resumed.err);
    REQUIRE(resumed.exit_code == 3);  // done, with the planted orphans named
    CHECK(resumed.out.find("orphan: dashboards.user_id of row") != std::string::npos);
    CHECK(resumed.out.find("not verified") == std::string::npos);

    for (const char* table : kAppDbTables) {
      INFO(table);
      CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {} WHERE id_ulid IS NULL", table)) ==
            0);
      CHECK(target->Count(fmt::format("SELECT COUNT(DISTINCT id_ulid) FROM {}", table)) ==
            target->Count(fmt::format("SELECT COUNT(*) FROM {}", table)));
    }
    for (const AppDbReference& ref : kAppDbReferences) {
      INFO(ref.table << "." << ref.column);
      int64_t old_join =
          target->Count(fmt::format("SELECT COUNT(*) FROM {0} c JOIN {1} p ON p.id = c.{2}",
                                    ref.table, ref.parent, ref.column));
      CHECK(old_join > 0);
      CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {0} c JOIN {1} p ON p.id_ulid = "
                                      "c.{2}_ulid",
                                      ref.table, ref.parent, ref.column)) == old_join);
      CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {0} c JOIN {1} p ON p.id = c.{2} "
                                      "AND p.id_ulid = c.{2}_ulid",
                                      ref.table, ref.parent, ref.column)) == old_join);
    }
    for (const auto& row : target->Query("SELECT created_at, id_ulid FROM journal_entries")) {
      std::optional<int64_t> created = ParseRfc3339Millis(row.at(0));
      Result<Ulid> ulid = DecodeUlid(row.at(1));
      REQUIRE(created);
      REQUIRE(ulid.ok());
      CHECK(ulid->time_ms() == static_cast<uint64_t>(*created));
    }
    CHECK(target->Query(users) == before);
    if (strategy == "hybrid") {
      for (const char* table : kAppDbTables) {
        INFO(table);
        CHECK(target->Count(fmt::format(
                  "SELECT COUNT(*) FROM {0} t JOIN {1} m ON m.entity = '{0}' AND m.user_id = "
                  "'(rekey)' AND m.legacy_id = CAST(t.id AS TEXT) AND m.ulid = t.id_ulid",
                  table, target->Bookkeeping("id_map"))) ==
              target->Count(fmt::format("SELECT COUNT(*) FROM {}", table)));
      }
    } else {
      CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {}", target->Bookkeeping("id_map"))) ==
            0);
    }
    auto runs =
        target->Query(fmt::format("SELECT status FROM {} WHERE arguments LIKE 'rekey %' "
                                  "ORDER BY started_at",
                                  target->Bookkeeping("runs")));
    REQUIRE(runs.size() == 2);
    CHECK(runs[1][0] == "completed_with_rejects");
  }
}

TEST_CASE("rekey rollback: a killed-and-resumed hybrid rekey undone, catalog and rows as before",
          "[e2e][rekey][rollback][sqlite][postgresql]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    std::string plan = LoadAppDatabase(*target, "uuid", dir);
    auto before = Snapshot(*target);
    std::vector<std::string> args = {"rekey",        target->url(),       "--plan",     plan,
                                     "--batch-size", AppDbBatchSize(200), "--strategy", "hybrid"};
    CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", "rekey.batch_committed:8"}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code != 0);
    CommandResult resumed = RunFerry(args);
    INFO(resumed.out << resumed.err);
    REQUIRE(resumed.exit_code == 3);
    REQUIRE(Snapshot(*target) != before);
    auto runs = target->Query(
        fmt::format("SELECT run_id FROM {} WHERE arguments LIKE 'rekey %' ORDER BY started_at DESC",
                    target->Bookkeeping("runs")));
    REQUIRE(runs.size() == 2);

    CommandResult dry =
        RunFerry({"rollback", "--target", target->url(), "--run", runs[0][0], "--dry-run"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("would roll back: 16 columns dropped") != std::string::npos);
    CHECK(Snapshot(*target) != before);

    CommandResult undone = RunFerry({"rollback", "--target", target->url(), "--run", runs[0][0]});
    INFO(undone.out << undone.err);
    REQUIRE(undone.exit_code == 0);
    CHECK(Snapshot(*target) == before);
    CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {}", target->Bookkeeping("id_map"))) ==
          0);
    CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {} WHERE status = 'rolled_back'",
                                    target->Bookkeeping("runs"))) == 2);
  }
}

TEST_CASE("rekey: a missing SQLite file and a plan that does not fit are refused, nothing created",
          "[e2e][rekey][sqlite]") {
  TempDir dir;
  std::string plan = dir / "plan.yaml";
  {
    std::string twin = dir / "twin.db";
    REQUIRE(RunShell(Generator("int") + " --out '" + twin + "'").exit_code == 0);
    REQUIRE(RunFerry({"inspect", "sqlite:" + twin, "--propose-mapping", plan}).exit_code == 0);
  }
  std::string missing = dir / "missing.db";
  CommandResult run = RunFerry({"rekey", "sqlite:" + missing, "--plan", plan});
  INFO(run.out << run.err);
  CHECK(run.exit_code != 0);
  CHECK_FALSE(std::filesystem::exists(missing));

  std::string other = dir / "other.db";
  REQUIRE(
      RunShell("sqlite3 '" + other + "' 'CREATE TABLE users (id INTEGER PRIMARY KEY)'").exit_code ==
      0);
  run = RunFerry({"rekey", "sqlite:" + other, "--plan", plan});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("the plan names") != std::string::npos);

  run = RunFerry({"rekey", "sqlite:" + other, "--plan", plan, "--strategy", "switch"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("the plan names") != std::string::npos);
  CHECK(Query(other, "SELECT COUNT(*) FROM sqlite_master")[0][0] == "1");
}

}  // namespace
}  // namespace ferry::e2e::rekey_add_test
