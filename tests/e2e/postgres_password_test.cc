// End-to-end: a password-protected PostgreSQL role (the test server's ferry_pw, scram-sha-256 on
// 127.0.0.1, tools/test_postgres.sh) with the password given in the URL, in PGPASSWORD and in a
// password file; the real binary migrates, previews and fails to connect, and the password is
// in none of stdout, stderr, the report, the reject file, ferry.runs or ferry.audit_log.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <pqxx/pqxx>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::postgres_password_test {

namespace {

struct PasswordServer {
  std::string host, port, user, password, database;
};

std::optional<PasswordServer> PasswordTestServer() {
  const char* password = std::getenv("FERRY_TEST_PG_PASSWORD");
  if (password == nullptr || *password == '\0') {
    // The same rule as every PostgreSQL test: fail under CI, warn elsewhere.
    if (!PostgresTestUrl()) return std::nullopt;
    FAIL(
        "FERRY_TEST_DATABASE_URL is set but FERRY_TEST_PG_PASSWORD is not: start the server "
        "with tools/test_postgres.sh");
  }
  return PasswordServer{std::getenv("FERRY_TEST_PG_TCP_HOST"),
                        std::getenv("FERRY_TEST_PG_TCP_PORT"),
                        std::getenv("FERRY_TEST_PG_PASSWORD_USER"), password,
                        std::getenv("FERRY_TEST_PG_PASSWORD_DB")};
}

std::string Url(const PasswordServer& s, const std::string& password, const std::string& db) {
  return "postgresql://" + s.user + (password.empty() ? "" : ":" + password) + "@" + s.host + ":" +
         s.port + "/" + db;
}

// A dump with one valid task and one without a title (a reject).
std::string WriteDump(const TempDir& dir) {
  std::string path = dir / "u.json";
  std::ofstream(path) << R"({"tasks":"[)"
                      << R"({\"id\":1,\"title\":\"ok\",\"status\":\"todo\",)"
                      << R"(\"createdAt\":\"2020-01-01T00:00:00Z\"},)"
                      << R"({\"id\":2,\"status\":\"todo\",\"createdAt\":\"2020-01-01T00:00:00Z\"})"
                      << R"(]"})";
  return path;
}

// Runs ferry and checks that no output of it holds `password`; returns the exit code.
int RunAndCheck(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                const std::string& password, const TempDir& work) {
  std::filesystem::remove(work / "report.json");
  std::filesystem::remove(work / "rejects.ndjson");
  std::vector<std::string> full = args;
  full.insert(full.end(), {"--report", work / "report.json", "--rejects", work / "rejects.ndjson",
                           "--continue-on-error", "--progress", "none"});
  std::vector<std::string> with_log = {"--log-level", "debug"};
  with_log.insert(with_log.end(), full.begin(), full.end());
  CommandResult run = RunFerry(with_log, env);
  CHECK(run.out.find(password) == std::string::npos);
  CHECK(run.err.find(password) == std::string::npos);
  CHECK(ReadFile(work / "report.json").find(password) == std::string::npos);
  CHECK(ReadFile(work / "rejects.ndjson").find(password) == std::string::npos);
  return run.exit_code;
}

// Nothing in ferry's bookkeeping of the password database holds the password.
void CheckBookkeeping(const PasswordServer& s) {
  pqxx::connection connection(Url(s, s.password, s.database));
  pqxx::nontransaction txn(connection);
  for (const char* sql : {"SELECT coalesce(string_agg(r::text, ' '), '') FROM ferry.runs r",
                          "SELECT coalesce(string_agg(a::text, ' '), '') FROM ferry.audit_log a"}) {
    std::string text = txn.exec1(sql)[0].c_str();
    CHECK(text.find(s.password) == std::string::npos);
  }
  CHECK(txn.exec1("SELECT count(*) FROM ferry.runs")[0].as<int>() > 0);
}

}  // namespace

TEST_CASE("PostgreSQL password: in the URL, PGPASSWORD or a password file, never in any output",
          "[e2e][postgres][secrets]") {
  std::optional<PasswordServer> server = PasswordTestServer();
  if (!server) return;
  TempDir work;
  std::string dump = WriteDump(work);
  // PGPASSWORD or a password file of the test process itself must not help the other cases.
  std::map<std::string, std::string> clean = {{"PGPASSWORD", ""}, {"PGPASSFILE", work / "none"}};

  SECTION("in the URL") {
    std::string url = Url(*server, server->password, server->database);
    for (bool dry_run : {true, false}) {
      std::vector<std::string> args = {"migrate", dump, "--user-id", "url-user", "--target", url};
      if (dry_run) args.push_back("--dry-run");
      CHECK(RunAndCheck(args, clean, server->password, work) == 3);
    }
    CheckBookkeeping(*server);
  }
  SECTION("in PGPASSWORD") {
    std::map<std::string, std::string> env = clean;
    env["PGPASSWORD"] = server->password;
    std::string url = Url(*server, "", server->database);
    CHECK(RunAndCheck({"migrate", dump, "--user-id", "env-user", "--target", url}, env,
                      server->password, work) == 3);
    CheckBookkeeping(*server);
  }
  SECTION("in a password file (PGPASSFILE, as ~/.pgpass)") {
    std::string passfile = work / "pgpass";
    std::ofstream(passfile) << server->host << ":" << server->port << ":*:" << server->user << ":"
                            << server->password << "\n";
    REQUIRE(chmod(passfile.c_str(), 0600) == 0);
    std::map<std::string, std::string> env = clean;
    env["PGPASSFILE"] = passfile;
    std::string url = Url(*server, "", server->database);
    CHECK(RunAndCheck({"migrate", dump, "--user-id", "file-user", "--target", url}, env,
                      server->password, work) == 3);
    // ~/.pgpass itself: a HOME of its own.
    TempDir home;
    std::filesystem::copy_file(passfile, home / ".pgpass");
    REQUIRE(chmod((home / ".pgpass").c_str(), 0600) == 0);
    env.erase("PGPASSFILE");
    env["HOME"] = home.path().string();
    CHECK(RunAndCheck({"migrate", dump, "--user-id", "home-user", "--target", url}, env,
                      server->password, work) == 3);
    CheckBookkeeping(*server);
  }
  SECTION("in a libpq keyword/value string, as psql takes it (issue 12 item 14)") {
    // Quoted, with a space and an escaped quote around the password, as libpq allows.
    std::string conninfo = "host=" + server->host + " port=" + server->port +
                           " user=" + server->user + " dbname=" + server->database +
                           " password = '" + server->password + "'";
    for (bool dry_run : {true, false}) {
      std::vector<std::string> args = {"migrate", dump,       "--user-id",
                                       "kv-user", "--target", conninfo};
      if (dry_run) args.push_back("--dry-run");
      CHECK(RunAndCheck(args, clean, server->password, work) == 3);
    }
    CheckBookkeeping(*server);
    CommandResult status = RunFerry({"status", "--target", conninfo, "-v"}, clean);
    CHECK(status.exit_code == 0);
    CHECK(status.out.find("password = ****") != std::string::npos);
    CHECK(status.out.find(server->password) == std::string::npos);
  }
  SECTION("a database that does not exist: a configuration error naming it, no password") {
    std::string url = Url(*server, server->password, "ferry_pw_no_such_db");
    for (bool dry_run : {false, true}) {
      std::vector<std::string> args = {"migrate", dump, "--user-id", "u", "--target", url};
      if (dry_run) args.push_back("--dry-run");
      CommandResult run = RunFerry(args, clean);
      CHECK(run.exit_code == 2);
      CHECK(run.err.find("ferry_pw_no_such_db") != std::string::npos);
      CHECK(run.err.find(server->password) == std::string::npos);
      CHECK(run.out.find(server->password) == std::string::npos);
      CHECK(RunAndCheck(args, clean, server->password, work) == 2);
    }
  }
  SECTION("a wrong password: refused, and the wrong password is not shown either") {
    std::string wrong = "Wr0ng-" + server->password.substr(3, 8);
    std::string url = Url(*server, wrong, server->database);
    CommandResult run = RunFerry({"migrate", dump, "--user-id", "u", "--target", url}, clean);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("authentication") != std::string::npos);
    CHECK(run.err.find(wrong) == std::string::npos);
    CHECK(RunAndCheck({"migrate", dump, "--user-id", "u", "--target", url}, clean, wrong, work) ==
          2);
  }
}

}  // namespace ferry::e2e::postgres_password_test
