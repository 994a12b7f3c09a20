// End-to-end: a user id never puts several users' stores under one user (issue 12 item 1),
// and --jobs loads two units of one user one after the other (issue 13 item 5). Both targets.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/dump_builder.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::user_units_test {

namespace {

std::vector<std::string> Migrate(const TargetFixture& target, std::vector<std::string> sources,
                                 std::vector<std::string> flags) {
  std::vector<std::string> args = {"migrate"};
  args.insert(args.end(), sources.begin(), sources.end());
  args.insert(args.end(), {"--target", target.url(), "--progress", "none"});
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Two users' dumps whose task ids collide (both start at task-1), as real apps' do.
void WriteTwoUsers(const std::string& folder) {
  std::filesystem::create_directories(folder);
  WriteDump(folder + "/u1.json", {{"tasks", TasksJson("task-", 3)}});
  WriteDump(folder + "/u2.json", {{"tasks", TasksJson("task-", 5)}});
}

}  // namespace

TEST_CASE("migrate: one --user-id over a folder of users' dumps is refused before anything",
          "[e2e][sqlite][postgres][users]") {
  TempDir work;
  WriteTwoUsers(work / "dumps");
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, {work / "dumps"}, {"--user-id", "x"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "--user-id-from filename"));
    CHECK(Has(run.err, "key:NAME"));
    CHECK(Has(run.err, "u1.json"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: one --user-id over two dumps on the command line is refused",
          "[e2e][sqlite][postgres][users]") {
  TempDir work;
  WriteTwoUsers(work / "dumps");
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(
        Migrate(*target, {work / "dumps/u1.json", work / "dumps/u2.json"}, {"--user-id", "x"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "2 separate stores"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: one --user-id over a browser with two profiles is refused, naming them",
          "[e2e][sqlite][postgres][users]") {
  TempDir work;
  std::filesystem::path browser = work.path() / "chromium";
  std::filesystem::copy(SourceDir() / "examples/chromium-taskapp", browser,
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(browser / "Default", browser / "Profile 1",
                        std::filesystem::copy_options::recursive);
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, {browser.string()}, {"--user-id", "demo"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "Profile 1"));
    CHECK(Has(run.err, "one profile folder per run"));
    CHECK_FALSE(target->Touched());
    // One profile named on its own is one store: loaded.
    CommandResult one = RunFerry(Migrate(*target, {(browser / "Profile 1").string()},
                                         {"--user-id", "demo", "--continue-on-error"}));
    INFO(Describe(one));
    CHECK(one.exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id='demo'") > 0);
  }
}

TEST_CASE("migrate: one --user-id over a Firefox folder of two profiles is refused",
          "[e2e][sqlite][postgres][users]") {
  TempDir work;
  std::filesystem::path profiles = work.path() / "firefox";
  std::filesystem::create_directories(profiles);
  std::ofstream(profiles / "profiles.ini") << "[Profile0]\nPath=a.default\n";
  for (const char* name : {"a.default", "b.work"}) {
    std::filesystem::copy(SharedDir() / "fixtures/browser/firefox/taskapp-clean", profiles / name,
                          std::filesystem::copy_options::recursive);
  }
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, {profiles.string()}, {"--user-id", "demo"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "2 browser profiles"));
    CHECK(Has(run.err, "b.work"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: --user-id-from filename refuses two files naming one user",
          "[e2e][sqlite][postgres][users]") {
  TempDir work;
  std::filesystem::create_directories(work / "a");
  std::filesystem::create_directories(work / "b");
  WriteDump(work / "a/u1.json", {{"tasks", TasksJson("task-", 3)}});
  WriteDump(work / "b/u1.json", {{"tasks", TasksJson("task-", 5)}});
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run =
        RunFerry(Migrate(*target, {work / "a", work / "b"}, {"--user-id-from", "filename"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "both name user \"u1\""));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: --user-id-from filename over a record file is refused before any dump loads",
          "[e2e][sqlite][postgres][users]") {
  TempDir work;
  std::filesystem::create_directories(work / "dumps");
  std::filesystem::create_directories(work / "records");
  WriteDump(work / "dumps/u1.json", {{"tasks", TasksJson("task-", 3)}});
  std::ofstream(work / "records/tasks.json") << TasksJson("task-", 2);
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(*target, {work / "dumps", "json:" + work / "records"},
                                         {"--user-id-from", "filename"}));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(Has(run.err, "no file name per user"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("migrate: --user-id-from key:NAME never loads a unit under a made-up user",
          "[e2e][sqlite][postgres][users]") {
  // What the second user's key holds: nothing usable as an id, or no key at all.
  std::vector<std::pair<std::string, std::string>> cases = {
      {"null", "holds null"},    {"\"\"", "empty string"}, {"", "is empty"},
      {"true", "true or false"}, {"{}", "object"},         {"(missing)", "no key"}};
  for (const auto& [value, reason] : cases) {
    DYNAMIC_SECTION("userId " << value) {
      TempDir work;
      std::filesystem::create_directories(work / "dumps");
      WriteDump(work / "dumps/a.json", {{"userId", "alice"}, {"tasks", TasksJson("task-", 3)}});
      std::map<std::string, std::string> second = {{"tasks", TasksJson("task-", 5)}};
      if (value != "(missing)") second["userId"] = value;
      WriteDump(work / "dumps/b.json", second);
      for (const char* jobs : {"1", "2"}) FERRY_FOR_EACH_TARGET(target) {
          CommandResult run = RunFerry(
              Migrate(*target, {work / "dumps"}, {"--user-id-from", "key:userId", "--jobs", jobs}));
          INFO("--jobs " << jobs << ": " << Describe(run));
          CHECK(run.exit_code == 2);
          CHECK(Has(run.err, "b.json"));
          CHECK(Has(run.err, reason));
          CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id='alice'") == 3);
          CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id<>'alice'") == 0);
          // The run was recorded before the unit was read: its end is recorded as failed, with
          // the error, never left to look interrupted and resumable.
          CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("runs") +
                              " WHERE status = 'failed' AND finished_at IS NOT NULL") == 1);
          CommandResult status = RunFerry({"status", "--target", target->url(), "-v"});
          CHECK(Has(status.out, "failed"));
          CHECK_FALSE(Has(status.out, "interrupted"));
          CHECK((Has(status.out, "error: ") && Has(status.out, "b.json")));
        }
    }
  }
}

TEST_CASE("migrate: --jobs 2 loads several units of one user one after the other",
          "[e2e][sqlite][postgres][users][jobs]") {
  TempDir work;
  // Record files are parts of one user's export: one --user-id takes them all.
  std::vector<std::string> parts;
  for (int i = 0; i < 4; ++i) {
    std::string folder = work / ("part" + std::to_string(i));
    std::filesystem::create_directories(folder);
    std::ofstream(folder + "/tasks.json") << TasksJson("p" + std::to_string(i) + "-", 1500);
    parts.push_back("json:" + folder + "/tasks.json");
  }
  // Dumps whose key names the same user: the store says they are one user's.
  std::filesystem::create_directories(work / "dumps");
  for (int i = 0; i < 4; ++i) {
    WriteDump(work / ("dumps/d" + std::to_string(i) + ".json"),
              {{"userId", "alice"}, {"tasks", TasksJson("d" + std::to_string(i) + "-", 1500)}});
  }
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult records = RunFerry(Migrate(*target, parts, {"--user-id", "demo", "--jobs", "2"}));
    INFO(Describe(records));
    CHECK(records.exit_code == 0);
    CHECK_FALSE(Has(records.err, "locked"));
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id='demo'") == 6000);

    CommandResult keyed = RunFerry(
        Migrate(*target, {work / "dumps"}, {"--user-id-from", "key:userId", "--jobs", "2"}));
    INFO(Describe(keyed));
    CHECK(keyed.exit_code == 0);
    CHECK_FALSE(Has(keyed.err, "locked"));
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id='alice'") == 6000);
  }
}

}  // namespace ferry::e2e::user_units_test
