// End-to-end, SQLite only: the files beside a target. A hot journal left by a writer that
// died (read-only commands roll it back, or say why they cannot), and a folder SQLite cannot
// create its journal in (issue 16 item 10).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"
#include "tests/test_paths.h"

namespace ferry::e2e::sqlite_target_files_test {

namespace {

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

std::string ShellQuoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs ferry as a user for whom permission bits hold: as root, as nobody (setpriv), since
// root writes into any folder. stdout and stderr together in `out`.
CommandResult RunFerryUnprivileged(const std::vector<std::string>& args) {
  std::string command =
      ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  command += ShellQuoted(FERRY_BINARY);
  for (const std::string& arg : args) command += " " + ShellQuoted(arg);
  return RunShell(command + " 2>&1");
}

bool CanDropPrivileges() {
  return ::geteuid() != 0 || RunShell("command -v setpriv >/dev/null").exit_code == 0;
}

// A folder `name` in `work` that the unprivileged user may read but not write, holding
// `file` writable by everyone. `work` is opened to everyone (for --rejects).
struct ReadOnlyFolder {
  ReadOnlyFolder(const TempDir& work, const std::string& name) : path(work / name) {
    ::chmod(work.path().c_str(), 0777);
    std::filesystem::create_directory(path);
  }
  ~ReadOnlyFolder() { ::chmod(path.c_str(), 0755); }  // so that TempDir can remove it
  void Seal(const std::string& file) {
    for (const char* suffix : {"", "-journal"}) ::chmod((file + suffix).c_str(), 0666);
    REQUIRE(::chmod(path.c_str(), 0555) == 0);
  }
  std::string path;
};

}  // namespace

TEST_CASE("SQLite target: status, schema status and migrate --dry-run roll back a hot journal",
          "[e2e][sqlite][issue16]") {
  struct Command {
    const char* name;
    std::vector<std::string> args;
  };
  std::vector<Command> commands = {
      {"status", {"status"}},
      {"schema status", {"schema", "status"}},
      {"migrate --dry-run",
       {"migrate", ExampleDump(), "--user-id", "demo", "--dry-run", "--progress", "none"}},
  };
  for (Command& command : commands) {
    SECTION(command.name) {
      TempDir work;
      std::string db = work / "app.db";
      sqlite_testing::MakeHotJournal(db);
      command.args.insert(command.args.end(), {"--target", "sqlite:" + db});
      CommandResult result = RunFerry(command.args);
      INFO(result.out << result.err);
      // Not the failure of today's code ("attempt to write a readonly database", exit 1).
      CHECK(result.exit_code != 1);
      CHECK(result.exit_code != 2);
      CHECK_THAT(result.err, Catch::Contains("rolled back the hot journal \"" + db + "-journal\""));
      CHECK_FALSE(std::filesystem::exists(db + "-journal"));
      CHECK(Query(db, "SELECT count(*) FROM a") == std::vector<std::vector<std::string>>{{"1"}});
    }
  }
}

TEST_CASE("SQLite target: a hot journal a read-only command may not roll back is named",
          "[e2e][sqlite][issue16]") {
  if (!CanDropPrivileges()) {
    WARN("running as root without setpriv: permission bits cannot be tested");
    return;
  }
  TempDir work;
  ReadOnlyFolder folder(work, "ro");
  std::string db = folder.path + "/app.db";
  sqlite_testing::MakeHotJournal(db);
  folder.Seal(db);
  std::string before = ReadFile(db);

  CommandResult status = RunFerryUnprivileged({"status", "--target", "sqlite:" + db});
  INFO(status.out);
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.out, Catch::Contains("hot journal \"" + db + "-journal\""));
  CHECK_THAT(status.out, Catch::Contains("the folder \"" + folder.path + "\" is not writable"));
  CHECK_THAT(status.out, Catch::Contains("ferry migrate"));
  CHECK(ReadFile(db) == before);
}

TEST_CASE("SQLite target: a folder SQLite cannot write its journal in is named, exit 2",
          "[e2e][sqlite][issue16]") {
  if (!CanDropPrivileges()) {
    WARN("running as root without setpriv: permission bits cannot be tested");
    return;
  }
  for (const char* journal_mode : {"wal", "delete"}) {
    SECTION(journal_mode) {
      TempDir work;
      ReadOnlyFolder folder(work, "ro");
      std::string db = folder.path + "/app.db";
      sqlite_testing::ExecSql(db, std::string("PRAGMA journal_mode=") + journal_mode +
                                      "; CREATE TABLE a(x); INSERT INTO a VALUES (1);");
      folder.Seal(db);
      // The unprivileged user reads the source from the test's folder: the checkout itself may
      // sit in a folder only root can enter (a mktemp -d clone).
      std::string dump = work / "taskapp-dump.json";
      std::filesystem::copy_file(ExampleDump(), dump);
      std::filesystem::permissions(dump, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::group_read |
                                             std::filesystem::perms::others_read);
      CommandResult migrate = RunFerryUnprivileged(
          {"migrate", dump, "--user-id", "demo", "--target", "sqlite:" + db, "--rejects",
           work / "rejects.ndjson", "--progress", "none", "--retries", "0"});
      INFO(migrate.out);
      CHECK(migrate.exit_code == 2);
      CHECK_THAT(migrate.out,
                 Catch::Contains("the folder \"" + folder.path + "\" is not writable"));
      CHECK_THAT(migrate.out, Catch::Contains("journal"));
    }
  }
}

TEST_CASE("SQLite target: --busy-timeout is each attempt's wait, and the retry line says it",
          "[e2e][sqlite][issue16]") {
  TempDir work;
  std::string db = work / "t.db";
  sqlite_testing::ExecSql(db, "CREATE TABLE a(x)");
  sqlite_testing::WriteLockHolder holder(db);
  auto start = std::chrono::steady_clock::now();
  CommandResult migrate =
      RunFerry({"--busy-timeout", "0.4", "migrate", ExampleDump(), "--user-id", "demo", "--target",
                "sqlite:" + db, "--rejects", work / "rejects.ndjson", "--progress", "none",
                "--continue-on-error", "--retries", "1", "--retry-max-wait", "0.1"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(migrate.err);
  CHECK(migrate.exit_code == 1);
  std::string holder_text = "another process (pid " + std::to_string(holder.pid());
  CHECK_THAT(migrate.err, Catch::Contains(holder_text));
  CHECK_THAT(migrate.err, Catch::Contains("holds a write lock on \"" + db + "\""));
  CHECK_THAT(migrate.err, Catch::Contains("waited 0.4 s for it (--busy-timeout); retry 1 of 1 "
                                          "after a pause of 0.1 s"));
  // Two attempts of 0.4 s and a pause of at most 0.1 s; not the default 5 s each.
  CHECK(seconds >= 0.8);
  CHECK(seconds < 4);
}

}  // namespace ferry::e2e::sqlite_target_files_test
