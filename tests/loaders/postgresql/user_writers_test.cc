// The writers of a user whose lock another loader of the same run holds
// (loaders/postgresql/user_writers.h, issue 18): a loader of the run joins the lock; another
// run's loader cannot; and while a writer is in, a new holder is refused even when the lock's
// own session is gone, so that no write of the old run lands after the new one began.
#include "loaders/postgresql/user_writers.h"

#include <catch2/catch.hpp>

#include "loaders/postgresql/user_lock.h"
#include "tests/e2e/target_fixture.h"
#include "tests/loaders/postgresql/pg_test_session.h"

namespace ferry::user_writers_test {
namespace {

using e2e::PostgresDatabase;
using pg_testing::Admin;
using pg_testing::RunLoader;

// A loader attached to run `run_id`, which another loader began.
std::unique_ptr<Loader> AttachedLoader(const std::string& url, const std::string& run_id) {
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", url, ""});
  REQUIRE(loader->Check(false).ok());
  RunInfo attach{run_id, "ferry migrate x.json", false, ""};
  attach.attach = true;
  Status status = loader->BeginRun(attach);
  INFO(status.ToString());
  REQUIRE(status.ok());
  return loader;
}

}  // namespace

TEST_CASE("PostgreSQL user writers: the key is neither the user's lock key nor another user's",
          "[loaders][postgres][locks]") {
  CHECK(postgres::UserWritersKey("public", "u1") != postgres::UserLockKey("public", "u1"));
  CHECK(postgres::UserWritersKey("public", "u1") != postgres::UserWritersKey("public", "u2"));
  CHECK(postgres::UserWritersKey("public", "u1") != postgres::UserWritersKey("other", "u1"));
}

TEST_CASE("PostgresLoader writers: a run's loaders join its lock; a new holder waits for them",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  auto holder = RunLoader(db.url(), "RUN_A");
  auto writer = AttachedLoader(db.url(), "RUN_A");
  auto other = RunLoader(db.url(), "RUN_B");

  // Nobody holds the lock: nothing to join yet (the holder may be reconnecting).
  CHECK(writer->JoinUser("u1").IsUnavailable());
  REQUIRE(holder->LockUser("u1").ok());
  Status joined = writer->JoinUser("u1");
  INFO(joined.ToString());
  REQUIRE(joined.ok());
  CHECK(writer->JoinUser("u1").ok());  // joined already: not taken twice
  // Another run can neither join nor take it.
  CHECK(other->JoinUser("u1").IsLocked());
  CHECK(other->LockUser("u1").IsLocked());

  // The holder's session alone ends (a network cut): the lock is free, but the writer is still
  // in a unit, so a new holder is refused, naming the writer's session.
  Admin admin(db.url());
  admin.Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND mode = 'ExclusiveLock' AND database = (SELECT oid FROM pg_database WHERE datname = "
      "current_database())");
  for (int i = 0; i < 100 && admin.Count("SELECT count(*) FROM pg_locks WHERE locktype = "
                                         "'advisory' AND mode = 'ExclusiveLock' AND granted AND "
                                         "database = (SELECT oid FROM pg_database WHERE datname "
                                         "= current_database())") != 0;
       ++i) {
    admin.Exec("SELECT pg_sleep(0.05)");
  }
  Status refused = other->LockUser("u1");
  INFO(refused.ToString());
  CHECK(refused.IsLocked());
  CHECK_THAT(refused.message(), Catch::Contains("still written by the session \"ferry run RUN_A"));

  // Once the writer has left, the new run takes the lock (over RUN_A's stale row).
  REQUIRE(writer->LeaveUser("u1").ok());
  CHECK(writer->LeaveUser("u1").ok());  // not joined: fine
  Status taken = other->LockUser("u1");
  INFO(taken.ToString());
  CHECK(taken.ok());
  CHECK(admin.Text("SELECT run_id FROM ferry.locks WHERE user_id = 'u1'") == "RUN_B");
}

}  // namespace ferry::user_writers_test
