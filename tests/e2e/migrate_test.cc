// End-to-end, the same cases on every target (SQLite and PostgreSQL, target_fixture.h): the
// real ferry binary, generated task-app dumps, a fresh target per case and target kind, so the
// two targets cannot drift apart.
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry::e2e::migrate_test {

namespace {

struct Generated {
  TempDir dir;
  std::string dumps;
  std::set<std::pair<std::string, std::string>> invalid;  // (user, legacy id)
  int64_t valid_tasks = 0;
  int64_t environments = 0;

  Generated(int users, int tasks, int seed) {
    GenerateTaskappDumps(dir.path().string(), users, tasks, seed);
    dumps = dir / "dumps";
    std::ifstream tsv(dir / "invalid.tsv");
    std::string user, id;
    while (tsv >> user >> id) invalid.insert({user, id});
    simdjson::dom::parser parser;
    simdjson::dom::element manifest = parser.load(dir / "manifest.json");
    valid_tasks = int64_t(manifest["tasks_valid"]);
    environments = int64_t(manifest["environments_valid"]);
  }
};

std::vector<std::string> Migrate(const Generated& g, const TargetFixture& target,
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"migrate",  g.dumps,      "--user-id-from",      "filename",
                                   "--target", target.url(), "--continue-on-error", "--progress",
                                   "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("migrate: generated dumps load every valid task and reject the rest",
          "[e2e][sqlite][postgres]") {
  Generated g(4, 400, 11);
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string rejects = work / "rejects.ndjson";
    CommandResult run =
        RunFerry(Migrate(g, *target, {"--rejects", rejects, "--report", work / "r.json"}));
    REQUIRE(run.exit_code == 3);  // done, with rejected records

    CHECK(target->Count("SELECT count(*) FROM tasks") == g.valid_tasks);
    CHECK(target->Count("SELECT count(*) FROM environments") == g.environments);
    for (const auto& [user, id] : g.invalid) {
      INFO(user << " " << id);
      CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id='" + user +
                          "' AND legacy_id='" + id + "'") == 0);
    }
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE status NOT IN "
                        "('pending','in_progress','completed')") == 0);
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE status='pending'") > 0);
    CHECK(target->Count("SELECT count(*) FROM environments "
                        "WHERE CAST(config AS TEXT) LIKE '%githubToken%'") == 0);
    CHECK(target->Count("SELECT count(*) FROM environments "
                        "WHERE CAST(config AS TEXT) LIKE '%region%'") > 0);

    // Every ULID's time is its record's createdAt.
    for (const auto& row : target->Query("SELECT id, created_at FROM tasks UNION ALL "
                                         "SELECT id, created_at FROM environments")) {
      Result<Ulid> ulid = DecodeUlid(row[0]);
      REQUIRE(ulid.ok());
      std::optional<int64_t> created = ParseRfc3339Millis(row[1]);
      REQUIRE(created);
      CHECK(static_cast<int64_t>(ulid->time_ms()) == *created);
    }

    // environment_id is the ULID of the environment the dump's environmentId names.
    simdjson::dom::parser parser;
    int64_t checked = 0;
    for (const auto& file : std::filesystem::directory_iterator(g.dumps)) {
      std::string user = file.path().stem().string();
      simdjson::dom::element dump = parser.load(file.path().string());
      simdjson::dom::parser inner;
      simdjson::dom::element tasks = inner.parse(std::string(std::string_view(dump["tasks"])));
      for (simdjson::dom::element task : tasks.get_array()) {
        simdjson::dom::element env;
        if (task["environmentId"].get(env) != simdjson::SUCCESS || env.is_null()) continue;
        std::string legacy =
            env.is_string() ? std::string(std::string_view(env)) : std::to_string(int64_t(env));
        std::string task_id = task["id"].is_string() ? std::string(std::string_view(task["id"]))
                                                     : std::to_string(int64_t(task["id"]));
        if (g.invalid.count({user, task_id})) continue;
        auto rows = target->Query(
            "SELECT t.environment_id, e.id FROM tasks t JOIN environments e ON "
            "e.user_id=t.user_id AND e.legacy_id='" +
            legacy + "' WHERE t.user_id='" + user + "' AND t.legacy_id='" + task_id + "'");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0][0] == rows[0][1]);
        ++checked;
      }
    }
    CHECK(checked > 0);

    // Each invalid task is in the reject file with its place and reason.
    std::ifstream lines(rejects);
    std::string line;
    int64_t rejected = 0;
    while (std::getline(lines, line)) {
      simdjson::dom::element reject = parser.parse(line);
      CHECK(std::string_view(reject["entity"]) == "tasks");
      CHECK(std::string_view(reject["file"]).find(".json") != std::string_view::npos);
      CHECK(int64_t(reject["index"]) >= 0);
      CHECK(!std::string_view(reject["reason"]).empty());
      CHECK(!std::string_view(reject["pointer"]).empty());
      ++rejected;
    }
    CHECK(rejected == static_cast<int64_t>(g.invalid.size()));

    // The run is recorded, finished, with its totals.
    auto runs = target->Query("SELECT status, inserted FROM " + target->Bookkeeping("runs"));
    REQUIRE(runs.size() == 1);
    CHECK(runs[0][0] != "running");
    CHECK(std::stoll(runs[0][1]) > 0);
  }
}

TEST_CASE("migrate: a second run over the same input keeps the ULIDs and inserts nothing",
          "[e2e][sqlite][postgres]") {
  Generated g(3, 200, 5);
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    REQUIRE(RunFerry(Migrate(g, *target)).exit_code == 3);
    auto before = target->Query("SELECT user_id, legacy_id, id FROM tasks ORDER BY 1, 2");
    auto envs_before =
        target->Query("SELECT user_id, legacy_id, id FROM environments ORDER BY 1, 2");
    for (const char* policy : {"skip", "overwrite"}) {
      CommandResult again =
          RunFerry(Migrate(g, *target, {"--conflict", policy, "--report", work / "r.json"}));
      REQUIRE(again.exit_code == 3);
      simdjson::dom::parser parser;
      simdjson::dom::element report = parser.load(work / "r.json");
      for (auto [name, counts] : report["entities"].get_object()) {
        INFO(policy << " " << name);
        CHECK(int64_t(counts["inserted"]) == 0);
        CHECK(int64_t(counts["updated"]) == 0);  // unchanged content is not rewritten
      }
      CHECK(target->Query("SELECT user_id, legacy_id, id FROM tasks ORDER BY 1, 2") == before);
      CHECK(target->Query("SELECT user_id, legacy_id, id FROM environments ORDER BY 1, 2") ==
            envs_before);
    }
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map") +
                        " WHERE entity='tasks'") == static_cast<int64_t>(before.size()));
  }
}

TEST_CASE("migrate: overwrite replaces a changed record, skip keeps it",
          "[e2e][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string dump = work / "u.json";
    auto write = [&dump](const std::string& title) {
      std::ofstream(dump) << R"({"tasks":"[{\"id\":1,\"title\":\")" << title
                          << R"(\",\"status\":\"todo\",\"createdAt\":\"2020-01-01T00:00:00Z\",)"
                          << R"(\"updatedAt\":\"2020-01-02T00:00:00Z\"}]"})";
    };
    std::vector<std::string> base = {"migrate", dump, "--user-id", "u", "--target", target->url()};
    write("first");
    REQUIRE(RunFerry(base).exit_code == 0);
    // Inner JSON "second\ttab \\ back", escaped again for the dump's outer string.
    write("second\\\\ttab \\\\\\\\ back");
    auto with = [&base](const std::string& policy) {
      auto args = base;
      args.insert(args.end(), {"--conflict", policy});
      return args;
    };
    REQUIRE(RunFerry(with("skip")).exit_code == 0);
    CHECK(target->Query("SELECT title FROM tasks")[0][0] == "first");
    CommandResult overwrite = RunFerry(with("overwrite"));
    REQUIRE(overwrite.exit_code == 0);
    CHECK(target->Query("SELECT title FROM tasks")[0][0] == "second\ttab \\ back");
    CHECK(target->Count("SELECT count(*) FROM tasks") == 1);
    CHECK(target->Query("SELECT updated_at FROM tasks")[0][0] == "2020-01-02T00:00:00.000Z");
  }
}

TEST_CASE("migrate --dry-run writes nothing, not even the target's tables",
          "[e2e][sqlite][postgres][dry-run]") {
  Generated g(2, 120, 3);
  const int done = g.invalid.empty() ? 0 : 3;  // 3: done, with rejected records
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    CommandResult dry = RunFerry(Migrate(g, *target, {"--dry-run", "--report", work / "r.json"}));
    CHECK(dry.exit_code == done);
    CHECK_FALSE(target->Touched());
    simdjson::dom::parser parser;
    simdjson::dom::element report = parser.load(work / "r.json");
    CHECK(int64_t(report["entities"]["tasks"]["inserted"]) == g.valid_tasks);
    CHECK(dry.out.find("would") != std::string::npos);

    // On an existing target: the contents stay the same, and the preview knows what exists.
    REQUIRE(RunFerry(Migrate(g, *target)).exit_code == done);
    std::string before = target->Fingerprint();
    CommandResult again =
        RunFerry(Migrate(g, *target, {"--dry-run", "--report", work / "r2.json"}));
    CHECK(again.exit_code == done);
    CHECK(target->Fingerprint() == before);
    simdjson::dom::element second = parser.load(work / "r2.json");
    CHECK(int64_t(second["entities"]["tasks"]["inserted"]) == 0);
    CHECK(int64_t(second["entities"]["tasks"]["skipped"]) == g.valid_tasks);
  }
}

TEST_CASE("migrate: without --continue-on-error the first reject stops the run with exit 1",
          "[e2e][sqlite][postgres]") {
  Generated g(2, 300, 21);
  REQUIRE_FALSE(g.invalid.empty());
  FERRY_FOR_EACH_TARGET(target) {
    std::vector<std::string> args = {"migrate",  g.dumps,    "--user-id-from",
                                     "filename", "--target", target->url()};
    CommandResult run = RunFerry(args);
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("--continue-on-error") != std::string::npos);
    CHECK(run.err.find(".json") != std::string::npos);
  }
}

TEST_CASE("migrate: without --jobs, several users load with several workers into PostgreSQL only",
          "[e2e][sqlite][postgres][jobs]") {
  Generated g(3, 300, 11);
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    auto workers = [&](std::vector<std::string> extra) {
      std::string report = work / "r.json";
      extra.insert(extra.end(), {"--report", report, "--rejects", work / "rejects.ndjson"});
      CommandResult run = RunFerry(Migrate(g, *target, extra));
      INFO(run.out << run.err);
      REQUIRE(run.exit_code == 3);
      simdjson::dom::parser parser;
      return int64_t(parser.load(report)["jobs"]);
    };
    int64_t chosen = workers({});
    CHECK(target->Count("SELECT count(*) FROM tasks") == g.valid_tasks);
    if (target->kind() == "postgresql") {
      // One per core, at most one per user (3) and 8, within the server's free connections.
      int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
      CHECK(chosen >= 1);
      CHECK(chosen <= std::min<int64_t>({cores, 3, 8}));
    } else {
      CHECK(chosen == 1);  // SQLite: one writer
    }
    // --rescan: an unchanged unit would be skipped whole, with no reject to end in exit 3.
    CHECK(workers({"--jobs", "1", "--rescan"}) == 1);
  }
}

}  // namespace ferry::e2e::migrate_test
