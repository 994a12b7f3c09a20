// The user lock's short paths on PostgreSQL (loaders/postgresql/user_lock.h, issue 19): the
// advisory lock and its row taken in one statement, which also proves no rekey can run unseen
// (rekey_free) only when the rekey lock was free of other sessions and the row went in with it;
// and the release of a lock whose row the user's data transaction deleted already.
#include <catch2/catch.hpp>

#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/user_lock.h"
#include "loaders/rekey_lock.h"
#include "tests/e2e/target_fixture.h"
#include "tests/loaders/postgresql/pg_test_session.h"

namespace ferry::lock_round_trips_test {
namespace {

using e2e::PostgresDatabase;
using pg_testing::Admin;
using pg_testing::RunLoader;

const std::string kThisDatabase =
    "database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// A session of run `run_id` on `url`, whose bookkeeping a loader made.
std::unique_ptr<postgres::Session> RunSession(const std::string& url, const std::string& run_id) {
  Result<std::unique_ptr<postgres::Session>> opened = postgres::Session::Open(url);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  REQUIRE(postgres::TagSession(opened->get(), run_id).ok());
  return std::move(*opened);
}

int64_t AdvisoryLocks(Admin& admin) {
  return admin.Count("SELECT count(*) FROM pg_locks WHERE " + kThisDatabase +
                     " AND locktype = 'advisory' AND granted");
}

}  // namespace

TEST_CASE("PostgreSQL lock round trips: one statement takes the lock and its row, rekey free",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  RunLoader(db.url(), "RUN_SETUP");  // ferry's tables
  std::unique_ptr<postgres::Session> session = RunSession(db.url(), "RUN_A");
  Admin admin(db.url());
  bool rekey_free = false;
  Status taken =
      postgres::LockUser(session.get(), "u1", "RUN_A", postgres::LockMode::kTake, &rekey_free);
  INFO(taken.ToString());
  REQUIRE(taken.ok());
  CHECK(rekey_free);
  CHECK(admin.Text("SELECT run_id FROM ferry.locks WHERE user_id = 'u1'") == "RUN_A");
  {
    // The lock row's commit waits for no flush, that transaction alone: the session's data
    // transactions keep the server's setting.
    pqxx::nontransaction txn(session->connection());
    CHECK(txn.exec1("SELECT current_setting('synchronous_commit') = "
                    "(SELECT boot_val FROM pg_settings WHERE name = 'synchronous_commit') OR "
                    "current_setting('synchronous_commit') = (SELECT reset_val FROM pg_settings "
                    "WHERE name = 'synchronous_commit')")[0]
              .as<bool>());
  }
  // The rekey lock was held for the statement only: the user's lock alone is left.
  CHECK(AdvisoryLocks(admin) == 1);
  CHECK(admin.Count("SELECT count(*) FROM ferry.audit_log WHERE action = 'lock taken over'") == 0);
}

TEST_CASE("PostgreSQL lock round trips: a rekey holding its lock makes the lock not rekey free",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  RunLoader(db.url(), "RUN_SETUP");
  std::unique_ptr<postgres::Session> rekey = RunSession(db.url(), "RUN_R");
  REQUIRE(postgres::LockUser(rekey.get(), kRekeyLockUser, "RUN_R", postgres::LockMode::kTake).ok());
  std::unique_ptr<postgres::Session> session = RunSession(db.url(), "RUN_A");
  bool rekey_free = true;
  REQUIRE(postgres::LockUser(session.get(), "u1", "RUN_A", postgres::LockMode::kTake, &rekey_free)
              .ok());
  CHECK_FALSE(rekey_free);  // the caller then lists the locks and finds the rekey
}

TEST_CASE("PostgreSQL lock round trips: a stale row is taken over and audited, not rekey free",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  RunLoader(db.url(), "RUN_SETUP");
  Admin admin(db.url());
  admin.Exec(
      "INSERT INTO ferry.locks (user_id, target_schema, run_id, host, pid, token, since) VALUES "
      "('u1', current_schema(), 'RUN_DEAD', 'gone-host', 1, 'gone', now())");
  std::unique_ptr<postgres::Session> session = RunSession(db.url(), "RUN_A");
  bool rekey_free = true;
  REQUIRE(postgres::LockUser(session.get(), "u1", "RUN_A", postgres::LockMode::kTake, &rekey_free)
              .ok());
  CHECK_FALSE(rekey_free);  // the row was not written by the statement that looked
  CHECK(admin.Text("SELECT run_id FROM ferry.locks WHERE user_id = 'u1'") == "RUN_A");
  CHECK(admin.Count("SELECT count(*) FROM ferry.audit_log WHERE action = 'lock taken over' "
                    "AND detail LIKE '%RUN_DEAD%'") == 1);
}

TEST_CASE("PostgreSQL lock round trips: a lock held elsewhere is Locked, and nothing is written",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  RunLoader(db.url(), "RUN_SETUP");
  std::unique_ptr<postgres::Session> first = RunSession(db.url(), "RUN_A");
  std::unique_ptr<postgres::Session> second = RunSession(db.url(), "RUN_B");
  REQUIRE(postgres::LockUser(first.get(), "u1", "RUN_A", postgres::LockMode::kTake).ok());
  Status refused = postgres::LockUser(second.get(), "u1", "RUN_B", postgres::LockMode::kTake);
  CHECK(refused.IsLocked());
  CHECK_THAT(refused.message(), Catch::Contains("run RUN_A"));
  Admin admin(db.url());
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 1);
  CHECK(AdvisoryLocks(admin) == 1);
}

TEST_CASE("PostgreSQL lock round trips: a release after the row went with the data unlocks only",
          "[loaders][postgres][locks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  RunLoader(db.url(), "RUN_SETUP");
  std::unique_ptr<postgres::Session> session = RunSession(db.url(), "RUN_A");
  Admin admin(db.url());
  REQUIRE(postgres::LockUser(session.get(), "u1", "RUN_A", postgres::LockMode::kTake).ok());
  REQUIRE(postgres::UnlockUser(session.get(), "u1", "RUN_A", /*row_gone=*/true).ok());
  CHECK(AdvisoryLocks(admin) == 0);
  // Told the row was gone, it sends no DELETE: this one stays (and is stale now).
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 1);
  REQUIRE(postgres::LockUser(session.get(), "u1", "RUN_A", postgres::LockMode::kTake).ok());
  REQUIRE(postgres::UnlockUser(session.get(), "u1", "RUN_A").ok());
  CHECK(admin.Count("SELECT count(*) FROM ferry.locks") == 0);
  CHECK(AdvisoryLocks(admin) == 0);
}

}  // namespace ferry::lock_round_trips_test
