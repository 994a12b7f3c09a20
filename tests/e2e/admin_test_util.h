// Helpers for the e2e tests of `ferry status` and `ferry unlock`: a loader of the test's own on
// a fixture target (to hold a lock, or to create ferry's tables), and writes into the target
// that the fixture's read-only Query cannot make on SQLite. Header-only: only *_test.cc files
// are built into the test binary.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "loaders/registry.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e {

// A loader on the fixture's target past Check(false) and BeginRun(run_id): ferry's tables
// exist once it returns.
inline std::unique_ptr<Loader> HolderLoader(TargetFixture& target, const std::string& run_id) {
  Result<TargetSpec> spec = ResolveTarget(target.url());
  REQUIRE(spec.ok());
  Result<std::unique_ptr<Loader>> loader = MakeLoader(*spec);
  REQUIRE(loader.ok());
  Status status = (*loader)->Check(false);
  INFO(status.ToString());
  REQUIRE(status.ok());
  status = (*loader)->BeginRun({run_id, "ferry migrate held.json", false, ""});
  INFO(status.ToString());
  REQUIRE(status.ok());
  return std::move(loader).value();
}

// Runs a statement that changes the target.
inline void ExecOn(TargetFixture& target, const std::string& sql) {
  if (target.kind() != "sqlite") {
    target.Query(sql);
    return;
  }
  std::string path = target.url().substr(std::string("sqlite:").size());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(db));
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// Records a lock of `user` held by `run` on `host` with `pid`, without any process holding it.
inline void InsertLockRow(TargetFixture& target, const std::string& user, const std::string& run,
                          const std::string& host, int64_t pid) {
  // PostgreSQL's rows are a target schema's (the fixture's: public).
  bool pg = target.kind() == "postgresql";
  ExecOn(target, "INSERT INTO " + target.Bookkeeping("locks") + " (user_id, run_id, host, pid, " +
                     (pg ? "target_schema, " : "") + "since) VALUES ('" + user + "', '" + run +
                     "', '" + host + "', " + std::to_string(pid) + (pg ? ", 'public'" : "") +
                     ", '2024-01-02T03:04:05Z')");
}

}  // namespace ferry::e2e
