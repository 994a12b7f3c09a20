// PrivateServer: a PostgreSQL server of the test's own, started and stopped with
// tools/test_postgres.sh, for faults that would hurt the other tests on the shared server (a
// restart, a tablespace on a disk that fills up).
//
// Header-only: the e2e helpers listed in tests/CMakeLists.txt stay as they are.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e {

class PrivateServer {
 public:
  // Starts the server; REQUIREs that it started.
  PrivateServer() {
    std::string script = (SourceDir() / "tools/test_postgres.sh").string();
    CommandResult started = RunShell(
        "bash -c 'unset FERRY_TEST_PGPORT; source \"" + script +
        "\" && ferry_pg_start >&2 && echo \"$FERRY_PG_DIR\" && echo \"$FERRY_TEST_DATABASE_URL\"'");
    size_t newline = started.out.find('\n');
    if (started.exit_code == 0 && newline != std::string::npos) {
      dir_ = started.out.substr(0, newline);
      url_ = started.out.substr(newline + 1);
      if (!url_.empty() && url_.back() == '\n') url_.pop_back();
    }
    INFO("starting a private server with " << script << ": exit " << started.exit_code);
    REQUIRE(!url_.empty());
  }
  ~PrivateServer() {
    if (dir_.empty()) return;
    std::string script = (SourceDir() / "tools/test_postgres.sh").string();
    RunShell("bash -c 'source \"" + script + "\" && FERRY_PG_DIR=\"" + dir_ +
             "\" && ferry_pg_stop' >/dev/null 2>&1");
  }
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;

  const std::string& url() const { return url_; }
  // The server's log, for a failing test's message.
  std::string Log() const { return ReadFile(dir_ + "/postgres.log"); }

  // pg_ctl restart -m fast: every session is ended, the server is down until it is back up.
  int Restart() { return PgCtl("-m fast -w -t 60 restart"); }

  // A crash: pg_ctl stop -m immediate (no checkpoint, no flush: what the WAL writer had not
  // written yet is lost), then the server started again (crash recovery); 0 when both worked.
  int CrashAndStart() {
    int stopped = PgCtl("-m immediate -w -t 60 stop");
    return stopped != 0 ? stopped : PgCtl("-w -t 60 start");
  }

 private:
  int PgCtl(const std::string& action) {
    std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl";
    if (const char* bin = std::getenv("FERRY_PG_BIN")) pg_ctl = std::string(bin) + "/pg_ctl";
    std::string command = pg_ctl + " -D \"" + dir_ + "/data\" -l \"" + dir_ + "/postgres.log\" " +
                          action + " >/dev/null 2>&1";
    // As root the server runs as the postgres OS user, as tools/test_postgres.sh starts it.
    if (geteuid() == 0) command = "cd \"" + dir_ + "\" && runuser -u postgres -- " + command;
    return RunShell(command).exit_code;
  }

  std::string dir_;
  std::string url_;
};

}  // namespace ferry::e2e
