// End-to-end: hostile and broken input gives a clear error and the right exit code, never a
// crash, a hang or a half-written target.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e::bad_input_test {

namespace {

std::vector<std::string> MigrateArgs(const std::string& source, const std::string& db) {
  return {"migrate", source, "--user-id", "u1", "--target", "sqlite:" + db, "--progress", "none"};
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// True when the target holds no task row (absent file or empty table).
bool NoTasks(const std::string& db) {
  if (!std::filesystem::exists(db)) return true;
  auto tables = Query(db, "SELECT count(*) FROM sqlite_master WHERE name='tasks'");
  return tables[0][0] == "0" || Query(db, "SELECT count(*) FROM tasks")[0][0] == "0";
}

}  // namespace

TEST_CASE("migrate: a truncated dump is an error naming the file", "[e2e][bad-input]") {
  TempDir work;
  Write(work / "cut.json", R"({"tasks":"[{\"id\":1,\"title\":\"x\")");
  CommandResult run = RunFerry(MigrateArgs(work / "cut.json", work / "t.db"));
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("cut.json") != std::string::npos);
  CHECK(NoTasks(work / "t.db"));
}

TEST_CASE("migrate: malformed JSON names the file and the byte", "[e2e][bad-input]") {
  TempDir work;
  Write(work / "bad.json", "{\"tasks\": \"[]\",\n \"x\": nope}");
  CommandResult run = RunFerry(MigrateArgs(work / "bad.json", work / "t.db"));
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("bad.json") != std::string::npos);
}

TEST_CASE("migrate: a value that is not JSON is a reject with its key", "[e2e][bad-input]") {
  TempDir work;
  Write(work / "d.json", R"({"tasks":"this is not json","theme":"dark"})");
  CommandResult run = RunFerry(MigrateArgs(work / "d.json", work / "t.db"));
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("tasks") != std::string::npos);
  CHECK(run.err.find("not JSON") != std::string::npos);
  auto args = MigrateArgs(work / "d.json", work / "t.db");
  args.insert(args.end(), {"--continue-on-error", "--rejects", work / "r.ndjson"});
  CommandResult lenient = RunFerry(args);
  CHECK(lenient.exit_code == 3);
  CHECK(ReadFile(work / "r.ndjson").find("\"key\":\"tasks\"") != std::string::npos);
}

TEST_CASE("migrate: a dump value that is not a string is reported, not dropped",
          "[e2e][bad-input]") {
  TempDir work;
  Write(work / "d.json", R"({"tasks":[1,2,3],"environments":"[]"})");
  auto args = MigrateArgs(work / "d.json", work / "t.db");
  args.insert(args.end(), {"--continue-on-error", "--rejects", work / "r.ndjson"});
  CommandResult run = RunFerry(args);
  CHECK(run.exit_code != 0);
  CHECK(run.exit_code != 2);
  CHECK((run.out + run.err + ReadFile(work / "r.ndjson")).find("tasks") != std::string::npos);
}

TEST_CASE("migrate: 100 000 levels of nesting are refused without a crash", "[e2e][bad-input]") {
  TempDir work;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Write(work / "deep.json", deep);
  CommandResult file = RunFerry(MigrateArgs(work / "deep.json", work / "t.db"));
  CHECK(file.exit_code >= 1);
  CHECK(file.exit_code <= 2);
  // The same depth inside a value, parsed the second time.
  std::string escaped_value = std::string(100000, '[') + std::string(100000, ']');
  Write(work / "inner.json", "{\"tasks\":\"" + escaped_value + "\"}");
  auto args = MigrateArgs(work / "inner.json", work / "t2.db");
  args.push_back("--continue-on-error");
  CommandResult inner = RunFerry(args);
  CHECK(inner.exit_code == 3);
  CHECK(NoTasks(work / "t2.db"));
}

TEST_CASE("migrate: a missing source is an error naming it", "[e2e][bad-input]") {
  TempDir work;
  CommandResult run = RunFerry(MigrateArgs(work / "nope.json", work / "t.db"));
  CHECK((run.exit_code == 1 || run.exit_code == 2));
  CHECK(run.err.find("nope.json") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(work / "t.db"));
}

TEST_CASE("migrate: an SQLite target that cannot be opened names the path and why (exit 2)",
          "[e2e][bad-input]") {
  TempDir work;
  Write(work / "d.json", R"({"tasks":"[]"})");
  SECTION("its folder does not exist") {
    CommandResult run = RunFerry(MigrateArgs(work / "d.json", "/proc/ferry-cannot-write/t.db"));
    INFO(run.err);
    CHECK(run.exit_code == 2);  // a configuration error, found before anything is written
    CHECK(run.err.find("/proc/ferry-cannot-write/t.db") != std::string::npos);
    CHECK(run.err.find("the folder \"/proc/ferry-cannot-write\" does not exist") !=
          std::string::npos);
  }
  SECTION("its folder is a file") {
    // Not the source itself: a target inside a source is refused before this check.
    Write(work / "plain.txt", "not a folder");
    CommandResult run = RunFerry(MigrateArgs(work / "d.json", work / "plain.txt/t.db"));
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("\"" + (work / "plain.txt") + "\" is not a folder") != std::string::npos);
  }
  SECTION("its folder is not writable") {
    // /proc/self refuses new files even to root, which a folder's permissions would not stop.
    CommandResult run = RunFerry(MigrateArgs(work / "d.json", "/proc/self/t.db"));
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("the folder \"/proc/self\" is not writable") != std::string::npos);
  }
}

TEST_CASE("ferry: unknown flags and misspelt commands are usage errors", "[e2e][cli]") {
  CHECK(RunFerry({"migrat", "x"}).exit_code == 2);
  CHECK(RunFerry({"migrate", "x", "--dry-runn"}).exit_code == 2);
  CHECK(RunFerry({"migrate", "x", "--conflict", "sometimes"}).exit_code == 2);
  CHECK(RunFerry({"migrate", "x", "--batch-size", "0"}).exit_code == 2);
  CHECK(RunFerry({}).exit_code == 2);
  CommandResult help = RunFerry({"migrate", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--target", "--mapping", "--user-id", "--user-id-from", "--dry-run",
                           "--conflict", "--continue-on-error", "--batch-size", "--include",
                           "--exclude", "--report", "--progress"}) {
    CHECK(help.out.find(flag) != std::string::npos);
  }
}

TEST_CASE("migrate: a hostile mapping is a configuration error (exit 2)", "[e2e][bad-input]") {
  TempDir work;
  Write(work / "d.json", R"({"tasks":"[]"})");
  Write(work / "m.yaml", "version: 1\nentities:\n  a:\n    nonsense: [\n");
  auto args = MigrateArgs(work / "d.json", work / "t.db");
  args.insert(args.end(), {"--mapping", work / "m.yaml"});
  CommandResult run = RunFerry(args);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("m.yaml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(work / "t.db"));
}

}  // namespace ferry::e2e::bad_input_test
