// End-to-end: `ferry inspect --propose-mapping` on every browser fixture scenario, then
// `ferry migrate --mapping` with what it proposed: every key mapped or ignored on purpose,
// and a record that breaks the inferred schema rejected.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e::propose_mapping_test {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Migrates `source` into a fresh SQLite file with `mapping`; returns the JSON report.
std::string MigrateWith(const std::string& source, const std::string& mapping, const TempDir& work,
                        const std::string& name) {
  CommandResult run =
      RunFerry({"migrate", source, "--mapping", mapping, "--user-id", "u1", "--target",
                "sqlite:" + work / (name + ".db"), "--no-backup", "--continue-on-error",
                "--max-reject-rate", "1", "--rejects", work / (name + ".ndjson"), "--report",
                work / (name + ".json"), "--progress", "none"});
  INFO(run.err);
  CHECK((run.exit_code == 0 || run.exit_code == 3));
  return ReadAll(work / (name + ".json"));
}

TEST_CASE("inspect --propose-mapping: every fixture store migrates with 0 unmapped keys",
          "[e2e][propose]") {
  const fs::path fixtures = SharedDir() / "fixtures/browser";
  if (!fs::exists(fixtures / "chromium/taskapp-clean")) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  for (const std::string browser : {"chromium", "firefox"}) {
    for (const auto& item : fs::directory_iterator(fixtures / browser)) {
      if (!item.is_directory()) continue;
      DYNAMIC_SECTION(browser << "/" << item.path().filename().string()) {
        TempDir work;
        const std::string mapping = work / "proposed.yaml";
        CommandResult proposed =
            RunFerry({"inspect", item.path().string(), "--propose-mapping", mapping});
        INFO(proposed.err);
        REQUIRE(proposed.exit_code == 0);
        CHECK((fs::status(mapping).permissions() & fs::perms::others_all) == fs::perms::none);
        std::string yaml = ReadAll(mapping);
        simdjson::dom::parser parser;
        simdjson::dom::element report = parser.parse(MigrateWith(item.path(), mapping, work, "a"));
        INFO(yaml);
        CHECK(int64_t(report["unmapped_keys"]) == 0);
        CHECK(int64_t(report["records_read"]) > 0);
        // Secrets are never carried: the JWT of authToken is left out by name.
        if (item.path().filename() == "taskapp-clean") {
          CHECK(int64_t(report["ignored_keys"]) == 1);
          CHECK(yaml.find("\"authToken\"], reason:") != std::string::npos);
          CHECK(Query(work / "a.db", "SELECT count(*) FROM tasks")[0][0] != "0");
          CHECK(Query(work / "a.db",
                      "SELECT count(*) FROM environments WHERE config LIKE '%ghp_%'")[0][0] == "0");
        }
      }
    }
  }
}

TEST_CASE("inspect --propose-mapping: a record that breaks the inferred schema is rejected",
          "[e2e][propose]") {
  TempDir work;
  std::string tasks = "[";
  for (int i = 0; i < 20; ++i) {
    tasks += "{\"id\":" + std::to_string(i) + ",\"title\":\"task " + std::to_string(i) +
             "\",\"createdAt\":\"2023-01-09T17:31:09.233Z\"},";
  }
  tasks.back() = ']';
  WriteDump(work / "good.json", {{"tasks", tasks}, {"theme", "dark"}});
  std::string broken = tasks;
  broken.replace(broken.find("\"task 3\""), 8, "12345");
  WriteDump(work / "broken.json", {{"tasks", broken}, {"theme", "dark"}});
  const std::string mapping = work / "proposed.yaml";
  REQUIRE(RunFerry({"inspect", work / "good.json", "--propose-mapping", mapping}).exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element good = parser.parse(MigrateWith(work / "good.json", mapping, work, "g"));
  CHECK(int64_t(good["entities"]["tasks"]["rejected"]) == 0);
  CHECK(int64_t(good["entities"]["tasks"]["inserted"]) == 20);
  simdjson::dom::parser other;
  simdjson::dom::element bad = other.parse(MigrateWith(work / "broken.json", mapping, work, "b"));
  CHECK(int64_t(bad["entities"]["tasks"]["rejected"]) == 1);
  CHECK(ReadAll(work / "b.ndjson").find("title") != std::string::npos);
  // The ULID's time is the record's createdAt: the creation time was found.
  CHECK(Query(work / "g.db", "SELECT min(created_at) FROM tasks")[0][0] != "NULL");
}

TEST_CASE("inspect --propose-mapping: refused inside a source, and with --mapping",
          "[e2e][propose]") {
  TempDir work;
  fs::create_directories(work.path() / "dumps");
  WriteDump(work / "dumps/u.json", {{"theme", "dark"}});
  CommandResult inside =
      RunFerry({"inspect", work / "dumps", "--propose-mapping", work / "dumps/m.yaml"});
  CHECK(inside.exit_code == 2);
  CHECK_FALSE(fs::exists(work.path() / "dumps/m.yaml"));
  CHECK(RunFerry({"inspect", work / "dumps/u.json", "--propose-mapping", "-", "--mapping", "x"})
            .exit_code == 2);
  CommandResult out = RunFerry({"inspect", work / "dumps/u.json", "--propose-mapping", "-"});
  CHECK(out.exit_code == 0);
  CHECK(out.out.find("local_values") != std::string::npos);
}

TEST_CASE("inspect --propose-mapping: a store's mapping is 0600 and never written over",
          "[e2e][propose]") {
  TempDir work;
  WriteDump(work / "u.json", {{"theme", "dark"}});
  std::string mapping = work / "m.yaml";
  CommandResult first = RunFerry({"inspect", work / "u.json", "--propose-mapping", mapping});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK((fs::status(mapping).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  // Edited by hand, as docs/unknown-store.md says: a second proposal must not undo the edit.
  { std::ofstream(mapping, std::ios::app) << "# reviewed\n"; }
  std::string edited = ReadAll(mapping);
  CommandResult again = RunFerry({"inspect", work / "u.json", "--propose-mapping", mapping});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("m.yaml: the file exists; not replaced") != std::string::npos);
  CHECK(ReadAll(mapping) == edited);
  // Nothing left beside it: no temporary file of the refused write.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(work.path())) files += entry.is_regular_file();
  CHECK(files == 2);
}

}  // namespace
}  // namespace ferry::e2e::propose_mapping_test
