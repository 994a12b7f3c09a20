// Helpers for the PostgreSQL lock and run-history tests: a loader on a fresh database past
// Check and BeginRun, and the test's own connection to look at and break things. Header-only:
// only *_test.cc files are built into the test binary.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "loaders/postgresql/postgres_loader.h"

namespace ferry::pg_testing {

// A loader on `url` past Check(dry_run) and BeginRun(run_id).
inline std::unique_ptr<Loader> RunLoader(const std::string& url, const std::string& run_id,
                                         bool dry_run = false,
                                         const std::string& arguments = "ferry migrate x.json") {
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", url, ""});
  Status status = loader->Check(dry_run);
  INFO(status.ToString());
  REQUIRE(status.ok());
  status = loader->BeginRun({run_id, arguments, dry_run, ""});
  INFO(status.ToString());
  REQUIRE(status.ok());
  return loader;
}

// The test's own connection to the database.
class Admin {
 public:
  explicit Admin(const std::string& url) : connection_(url) {}

  void Exec(const std::string& sql) {
    pqxx::nontransaction txn(connection_);
    txn.exec(sql);
  }
  int64_t Count(const std::string& sql) {
    pqxx::nontransaction txn(connection_);
    return txn.exec1(sql)[0].as<int64_t>();
  }
  std::string Text(const std::string& sql) {
    pqxx::nontransaction txn(connection_);
    pqxx::row row = txn.exec1(sql);
    return row[0].is_null() ? "NULL" : row[0].c_str();
  }
  // Terminates the sessions of run `run_id` (as a crash or a network cut would end them) and
  // waits until the server has let them go: gone from pg_stat_activity, their locks released.
  void KillRun(const std::string& run_id) {
    std::string pids = Text(
        "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE datname = "
        "current_database() AND application_name LIKE 'ferry run " +
        run_id + " %'");
    REQUIRE(pids != "NULL");
    Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (" + pids + ")");
    for (int i = 0; i < 200; ++i) {
      if (Count("SELECT (SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids +
                ")) + (SELECT count(*) FROM pg_locks WHERE pid IN (" + pids + "))") == 0) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the sessions of run " << run_id << " did not end");
  }

 private:
  pqxx::connection connection_;
};

}  // namespace ferry::pg_testing
