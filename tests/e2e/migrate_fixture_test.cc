// End-to-end: the real browsers' task-app contents (fixtures/browser/expected/taskapp-*.json,
// the dump form) load their valid records and reject exactly the planted invalid ones.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e::migrate_fixture_test {

TEST_CASE("migrate: taskapp fixture dumps reject exactly the records marked invalid",
          "[e2e][sqlite][fixtures]") {
  std::filesystem::path expected = SharedDir() / "fixtures/browser/expected";
  REQUIRE(std::filesystem::exists(expected));
  int scenarios = 0;
  for (const auto& file : std::filesystem::directory_iterator(expected)) {
    std::string name = file.path().filename().string();
    if (name.rfind("taskapp-", 0) != 0 || name.find(".meta.") != std::string::npos) continue;
    ++scenarios;
    DYNAMIC_SECTION(name) {
      TempDir work;
      std::string db = work / "t.db";
      CommandResult run = RunFerry({"migrate", file.path().string(), "--user-id", "demo",
                                    "--target", "sqlite:" + db, "--continue-on-error", "--rejects",
                                    work / "r.ndjson", "--progress", "none"});
      REQUIRE(run.exit_code == 3);

      simdjson::dom::parser parser;
      std::string meta_path = file.path().string();
      meta_path.replace(meta_path.size() - 5, 5, ".meta.json");
      simdjson::dom::element meta = parser.load(meta_path);
      std::set<int64_t> invalid_indexes;
      for (simdjson::dom::element item : meta["invalid"].get_array()) {
        if (std::string_view(item["key"]) == "tasks") {
          invalid_indexes.insert(int64_t(item["index"]));
        }
      }
      std::set<int64_t> rejected_indexes;
      std::ifstream lines(work / "r.ndjson");
      std::string line;
      simdjson::dom::parser line_parser;
      while (std::getline(lines, line)) {
        simdjson::dom::element reject = line_parser.parse(line);
        INFO(line);
        CHECK(std::string_view(reject["entity"]) == "tasks");
        rejected_indexes.insert(int64_t(reject["index"]));
        // The fake secrets never reach a reject file.
        CHECK(line.find("ghp_") == std::string::npos);
      }
      CHECK(rejected_indexes == invalid_indexes);

      // The tasks array holds every other record; each is loaded.
      simdjson::dom::element dump = parser.load(file.path().string());
      int64_t total = 0;
      for (auto [origin, keys] : dump.get_object()) {
        simdjson::dom::parser inner;
        total += static_cast<int64_t>(
            inner.parse(std::string(std::string_view(keys["tasks"]))).get_array().size());
      }
      CHECK(std::stoll(Query(db, "SELECT count(*) FROM tasks")[0][0]) ==
            total - static_cast<int64_t>(invalid_indexes.size()));
      CHECK(Query(db, "SELECT count(*) FROM user_preferences")[0][0] == "1");
      CHECK(Query(db, "SELECT count(*) FROM custom_data")[0][0] == "1");
      CHECK(std::stoll(Query(db, "SELECT count(*) FROM form_data")[0][0]) >= 3);
      CHECK(Query(db, "SELECT count(*) FROM environments WHERE config LIKE '%ghp_%'")[0][0] == "0");
      CHECK(Query(db, "SELECT count(*) FROM environments WHERE is_active = 1")[0][0] != "0");
    }
  }
  CHECK(scenarios >= 2);
}

}  // namespace ferry::e2e::migrate_fixture_test
