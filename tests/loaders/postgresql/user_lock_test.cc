// PostgresLoader's per-user locks (loaders/postgresql/user_lock.h) against the test server
// (FERRY_TEST_DATABASE_URL): advisory locks between loaders, holders whose connection dies,
// reconnects, dry-run checks, ListLocks and ForceUnlock. Each case has a fresh database.
#include "loaders/postgresql/user_lock.h"

#include <catch2/catch.hpp>

#include "loaders/process_identity.h"
#include "tests/e2e/target_fixture.h"
#include "tests/loaders/lock_test_util.h"
#include "tests/loaders/postgresql/pg_test_session.h"

namespace ferry::user_lock_test {
namespace {

// pg_locks is server-wide: other tests' databases on the same server hold advisory locks too.
const std::string kThisDatabase =
    "database = (SELECT oid FROM pg_database WHERE datname = current_database())";

using e2e::PostgresDatabase;
using pg_testing::Admin;
using pg_testing::RunLoader;

Status Read(Loader& loader) {
  std::optional<StoredCheckpoint> stored;
  return loader.ReadCheckpoint("u1", "tasks", "dump.json", &stored);
}

}  // namespace

TEST_CASE("PostgreSQL user lock: keys differ by schema and user, never the DDL lock's",
          "[loaders][postgres][locks]") {
  CHECK(postgres::UserLockKey("public", "u1") != postgres::UserLockKey("public", "u2"));
  CHECK(postgres::UserLockKey("public", "u1") != postgres::UserLockKey("other", "u1"));
  CHECK(postgres::UserLockKey("a/b", "c") != postgres::UserLockKey("a", "b/c"));
  CHECK(postgres::UserLockKey("public", "u1") == postgres::UserLockKey("public", "u1"));
  CHECK(postgres::UserLockKey("public", "u1") != 435711599225);
}

TEST_CASE("PostgresLoader locks: a second loader for the same user is Locked, naming the holder",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto first = RunLoader(db.url(), "RUN_A");
  auto second = RunLoader(db.url(), "RUN_B");
  lock_testing::CheckSecondLoaderLocked(*first, *second, db.name());
  Admin admin(db.url());
  CHECK(admin.Text("SELECT run_id FROM ferry.locks WHERE user_id = 'u1'") == "RUN_A");
  // The lock is an advisory lock, not a table lock.
  CHECK(admin.Count("SELECT count(*) FROM pg_locks WHERE " + kThisDatabase +
                    " AND locktype = 'advisory' AND granted") == 1);
}

TEST_CASE("PostgresLoader locks: different users proceed at the same time",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto first = RunLoader(db.url(), "RUN_A");
  auto second = RunLoader(db.url(), "RUN_B");
  REQUIRE(first->LockUser("u1").ok());
  Status other = second->LockUser("u2");
  INFO(other.ToString());
  CHECK(other.ok());
  CHECK(Admin(db.url()).Count("SELECT count(*) FROM ferry.locks") == 2);
}

TEST_CASE("PostgresLoader locks: after UnlockUser another run takes the lock",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto first = RunLoader(db.url(), "RUN_A");
  auto second = RunLoader(db.url(), "RUN_B");
  REQUIRE(first->LockUser("u1").ok());
  REQUIRE(second->LockUser("u1").IsLocked());
  REQUIRE(first->UnlockUser("u1").ok());
  CHECK(first->UnlockUser("u1").ok());  // not held: fine
  Admin admin(db.url());
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 0);
  REQUIRE(second->LockUser("u1").ok());
  CHECK(first->LockUser("u1").IsLocked());
  CHECK(admin.Text("SELECT run_id FROM ferry.locks") == "RUN_B");
  CHECK(admin.Count("SELECT count(*) FROM ferry.audit_log WHERE action = 'lock taken over'") == 0);
}

TEST_CASE("PostgresLoader locks: a holder whose connection dies releases the lock",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto first = RunLoader(db.url(), "RUN_A");
  auto second = RunLoader(db.url(), "RUN_B");
  REQUIRE(first->LockUser("u1").ok());
  admin.KillRun("RUN_A");

  // The row RUN_A left is stale: taken over, and the take-over audited.
  Status taken = second->LockUser("u1");
  INFO(taken.ToString());
  REQUIRE(taken.ok());
  CHECK(admin.Text("SELECT run_id FROM ferry.locks WHERE user_id = 'u1'") == "RUN_B");
  CHECK_THAT(admin.Text("SELECT detail FROM ferry.audit_log WHERE action = 'lock taken over' "
                        "AND run_id = 'RUN_B'"),
             Catch::Contains("RUN_A") && Catch::Contains("user u1"));

  // RUN_A's loader notices on its next call, reconnects and cannot take its lock again.
  Status broken = Read(*first);
  CHECK(broken.IsUnavailable());
  Status again = Read(*first);
  INFO(again.ToString());
  CHECK(again.IsLocked());
  CHECK_THAT(again.message(), Catch::Contains("run RUN_B"));
}

TEST_CASE("PostgresLoader locks: after a reconnect the loader holds its locks again",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto first = RunLoader(db.url(), "RUN_A");
  REQUIRE(first->LockUser("u1").ok());
  REQUIRE(first->LockUser("u2").ok());
  admin.KillRun("RUN_A");
  CHECK(Read(*first).IsUnavailable());
  Status resumed = Read(*first);
  INFO(resumed.ToString());
  REQUIRE(resumed.ok());
  CHECK(admin.Count(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE 'ferry run RUN_A %'") ==
        1);
  auto second = RunLoader(db.url(), "RUN_B");
  CHECK(second->LockUser("u1").IsLocked());
  CHECK(second->LockUser("u2").IsLocked());
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks WHERE run_id = 'RUN_A'") == 2);
  // Its own rows, taken again: not a take-over of someone else's.
  CHECK(admin.Count("SELECT count(*) FROM ferry.audit_log WHERE action = 'lock taken over'") == 0);
}

TEST_CASE("PostgresLoader locks: a lingering earlier session of the run is waited for, not Locked",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto first = RunLoader(db.url(), "RUN_A");
  REQUIRE(first->LockUser("u1").ok());
  admin.KillRun("RUN_A");
  // Stands for the old backend the server has not ended yet (a network cut): a session named
  // after the same run, holding the lock.
  auto lingering = RunLoader(db.url(), "RUN_A");
  REQUIRE(lingering->LockUser("u1").ok());
  CHECK(Read(*first).IsUnavailable());  // the broken connection
  Status waiting = Read(*first);
  INFO(waiting.ToString());
  CHECK(waiting.IsUnavailable());  // retried by RetryingLoader, not a failure of the run
  CHECK_THAT(waiting.message(), Catch::Contains("earlier session of run RUN_A"));
  lingering.reset();
  Status resumed = Read(*first);
  INFO(resumed.ToString());
  CHECK(resumed.ok());
  CHECK(RunLoader(db.url(), "RUN_B")->LockUser("u1").IsLocked());
}

TEST_CASE("PostgresLoader locks: a destroyed loader's locks are released",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto first = RunLoader(db.url(), "RUN_A");
  REQUIRE(first->LockUser("u1").ok());
  first.reset();
  CHECK(Admin(db.url()).Count("SELECT count(*) FROM ferry.locks") == 0);
  CHECK(RunLoader(db.url(), "RUN_B")->LockUser("u1").ok());
}

TEST_CASE("PostgresLoader locks: a dry run checks and takes nothing",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  {
    auto empty = RunLoader(db.url(), "RUN_DRY", /*dry_run=*/true);
    CHECK(empty->LockUser("u1").ok());
    CHECK(admin.Count("SELECT count(*) FROM pg_locks WHERE " + kThisDatabase +
                      " AND locktype = 'advisory'") == 0);
  }
  CHECK(admin.Count("SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'") == 0);
  auto holder = RunLoader(db.url(), "RUN_A");
  REQUIRE(holder->LockUser("u1").ok());
  auto dry = RunLoader(db.url(), "RUN_DRY", /*dry_run=*/true);
  Status refused = dry->LockUser("u1");
  CHECK(refused.IsLocked());
  CHECK_THAT(refused.message(), Catch::Contains("run RUN_A"));
  CHECK(dry->LockUser("u2").ok());
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 1);
  CHECK(admin.Count("SELECT count(*) FROM pg_locks WHERE " + kThisDatabase +
                    " AND locktype = 'advisory' AND granted") == 1);
}

TEST_CASE("PostgresLoader locks: ListLocks tells live holders from stale rows",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto holder = RunLoader(db.url(), "RUN_A");
  REQUIRE(holder->LockUser("u1").ok());
  Admin(db.url()).Exec(
      "INSERT INTO ferry.locks VALUES ('u2', 'RUN_GONE', 'h', 1, "
      "'2024-01-02T03:04:05.678Z', 'public', 'T')");
  std::vector<LockHolder> locks;
  REQUIRE(holder->ListLocks(&locks).ok());
  REQUIRE(locks.size() == 2);
  CHECK(locks[0].user_id == "u1");
  CHECK(locks[0].run_id == "RUN_A");
  CHECK(locks[0].pid == ThisPid());
  CHECK(locks[0].alive);
  CHECK(locks[1].user_id == "u2");
  CHECK(locks[1].since == "2024-01-02T03:04:05.678Z");
  CHECK_FALSE(locks[1].alive);
}

TEST_CASE("PostgresLoader locks: ForceUnlock clears stale rows, and live ones with even_alive",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto holder = RunLoader(db.url(), "RUN_A");
  REQUIRE(holder->LockUser("u1").ok());
  admin.Exec("INSERT INTO ferry.locks VALUES ('u2', 'RUN_GONE', 'h', 1, now(), 'public', 'T')");

  std::unique_ptr<Loader> unlocker = MakePostgresLoader({"postgresql", db.url(), ""});
  REQUIRE(unlocker->Check(false).ok());
  std::vector<LockHolder> cleared;
  REQUIRE(unlocker->ForceUnlock("", false, &cleared).ok());
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].user_id == "u2");
  CHECK_FALSE(cleared[0].alive);
  CHECK(admin.Text("SELECT string_agg(user_id, ',') FROM ferry.locks") == "u1");
  CHECK_THAT(admin.Text("SELECT detail FROM ferry.audit_log WHERE action = 'forced unlock' AND "
                        "run_id = 'RUN_GONE'"),
             Catch::Contains("user u2") && Catch::Contains("gone"));

  REQUIRE(unlocker->ForceUnlock("u1", true, &cleared).ok());
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].alive);
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 0);
  CHECK(admin.Count(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE 'ferry run RUN_A %'") ==
        0);
  CHECK(admin.Count("SELECT count(*) FROM pg_locks WHERE " + kThisDatabase +
                    " AND locktype = 'advisory'") == 0);
  CHECK(RunLoader(db.url(), "RUN_B")->LockUser("u1").ok());
}

TEST_CASE("PostgresLoader locks: ForceUnlock after a dry-run Check is refused",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", db.url(), ""});
  REQUIRE(loader->Check(true).ok());
  std::vector<LockHolder> cleared;
  CHECK(loader->ForceUnlock("", false, &cleared).code() == Status::Code::kInternal);
  std::vector<LockHolder> locks;
  CHECK(loader->ListLocks(&locks).ok());  // no ferry schema: no locks
  CHECK(locks.empty());
}

TEST_CASE(
    "PostgresLoader locks: a lock this run took on a session whose reply was lost is waited for",
    "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto first = RunLoader(db.url(), "RUN_A");
  // Stands for the session on which pg_try_advisory_lock went through but whose reply was lost:
  // this process's, named after the same run, holding the lock until the server ends it.
  auto lost = RunLoader(db.url(), "RUN_A");
  REQUIRE(lost->LockUser("u1").ok());
  Status waiting = first->LockUser("u1");
  INFO(waiting.ToString());
  CHECK(waiting.IsUnavailable());  // retried, not "locked by someone else" (exit 4)
  CHECK_THAT(waiting.message(), Catch::Contains("earlier session of run RUN_A"));
  lost.reset();
  CHECK(first->LockUser("u1").ok());
}

TEST_CASE("PostgresLoader locks: another process's session named after the same run is Locked",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto first = RunLoader(db.url(), "RUN_A");
  REQUIRE(first->LockUser("u1").ok());
  admin.KillRun("RUN_A");
  // A second process took the run over: same run id, its own token.
  for (const std::string name : {"ferry run RUN_A", "ferry run RUN_A OTHERPROCESSTOKEN000000000"}) {
    Admin other(db.url());
    other.Exec("SET application_name = '" + name + "'");
    other.Exec("SELECT pg_advisory_lock(" + std::to_string(postgres::UserLockKey("public", "u1")) +
               ")");
    Status broken = Read(*first);  // the first call meets the dead connection, or the holder
    Status refused = broken.IsUnavailable() ? Read(*first) : broken;
    INFO(name << ": " << refused.ToString());
    CHECK(refused.IsLocked());
  }
}

TEST_CASE("PostgresLoader locks: a run another process took over is not resumed on reconnect",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  Admin admin(db.url());
  auto first = RunLoader(db.url(), "RUN_A");
  REQUIRE(first->LockUser("u1").ok());
  admin.KillRun("RUN_A");
  // The other process resumed the run and finished it: its token on the run, the lock free.
  admin.Exec("UPDATE ferry.runs SET token = 'OTHERPROCESSTOKEN000000000', status = 'done'");
  admin.Exec("DELETE FROM ferry.locks");
  CHECK(Read(*first).IsUnavailable());  // the broken connection
  Status refused = Read(*first);
  INFO(refused.ToString());
  CHECK(refused.IsLocked());
  CHECK_THAT(refused.message(), Catch::Contains("taken over by another ferry process"));
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 0);  // and left no lock row
}

}  // namespace ferry::user_lock_test
