// End-to-end: the `merge` conflict policy on the real binary (issue 5). Each case loads a
// dump, loads a changed one with --conflict merge, and reads the rows back.
//
// Every case runs on each target of the shared fixture (tests/e2e/target_fixture.h: SQLite and
// PostgreSQL), with plain SQL both accept; JSON cells are compared as values, not text (jsonb
// prints differently).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"
#include "transformers/json_writer.h"

namespace ferry::e2e::merge_test {

namespace {

using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kT0 = "2020-01-01T00:00:00Z";   // created
constexpr const char* kT1 = "2020-01-02T00:00:00Z";   // first version
constexpr const char* kT2 = "2020-01-03T00:00:00Z";   // newer
constexpr const char* kT05 = "2020-01-01T12:00:00Z";  // older than the first version

std::string Task(const std::string& id, const std::string& title, const std::string& updated,
                 const std::string& extra = "", const std::string& status = "todo") {
  return R"({"id":)" + id + R"(,"title":")" + title + R"(","status":")" + status +
         R"(","createdAt":")" + kT0 + R"(","updatedAt":")" + updated + "\"" + extra + "}";
}

struct Run {
  CommandResult result;
  std::string report_text;
  simdjson::dom::parser parser;
  simdjson::dom::element report;
};

// Runs `ferry migrate DUMP --user-id u --target URL` with `extra`, REQUIRing exit code 0.
std::unique_ptr<Run> Migrate(const TargetFixture& target, const TempDir& work,
                             const std::string& dump, std::vector<std::string> extra) {
  auto run = std::make_unique<Run>();
  std::string report = work / "report.json";
  std::filesystem::remove(report);
  std::vector<std::string> args = {"migrate",    dump,       "--user-id", "u",          "--target",
                                   target.url(), "--report", report,      "--progress", "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  run->result = RunFerry(args);
  INFO(run->result.out << run->result.err);
  REQUIRE(run->result.exit_code == 0);
  run->report_text = ReadFile(report);
  REQUIRE(run->parser.parse(run->report_text).get(run->report) == simdjson::SUCCESS);
  return run;
}

int64_t Counted(const Run& run, const char* entity, const char* what) {
  return int64_t(run.report["entities"][entity][what]);
}

// The example of `legacy_id`'s conflict: its outcome and "path=decision" per field.
std::pair<std::string, std::set<std::string>> ConflictOf(const Run& run, const char* entity,
                                                         const std::string& legacy_id) {
  for (simdjson::dom::element e : run.report["entities"][entity]["examples_conflicts"]) {
    if (std::string_view(e["legacy_id"]) != legacy_id) continue;
    std::set<std::string> fields;
    for (simdjson::dom::element f : e["fields"]) {
      fields.insert(std::string(std::string_view(f["path"])) + "=" +
                    std::string(std::string_view(f["decision"])));
    }
    return {std::string(std::string_view(e["outcome"])), fields};
  }
  return {"(none)", {}};
}

// The values of `legacy_id`'s conflict example, "path: before -> after" per field ("path:
// withheld" for a sensitive one, " (incoming X)" when the row kept the target's value).
std::set<std::string> ValuesOf(const Run& run, const char* entity, const std::string& legacy_id) {
  std::set<std::string> values;
  for (simdjson::dom::element e : run.report["entities"][entity]["examples_conflicts"]) {
    if (std::string_view(e["legacy_id"]) != legacy_id) continue;
    for (simdjson::dom::element f : e["fields"]) {
      std::string line = std::string(std::string_view(f["path"])) + ": ";
      bool withheld = false;
      if (f["withheld"].get(withheld) == simdjson::SUCCESS && withheld) {
        values.insert(line + "withheld");
        continue;
      }
      line += std::string(std::string_view(f["before"])) + " -> " +
              std::string(std::string_view(f["after"]));
      std::string_view incoming;
      if (f["incoming"].get(incoming) == simdjson::SUCCESS) {
        line += " (incoming " + std::string(incoming) + ")";
      }
      values.insert(line);
    }
  }
  return values;
}

// A JSON cell read back, minified with members sorted, so that text and jsonb compare alike.
std::string CanonicalJson(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  REQUIRE(parser.parse(text).get(value) == simdjson::SUCCESS);
  std::function<std::string(simdjson::dom::element)> canon = [&](simdjson::dom::element v) {
    std::string out;
    if (v.is_object()) {
      std::map<std::string, std::string> members;
      for (auto field : simdjson::dom::object(v)) {
        members[std::string(field.key)] = canon(field.value);
      }
      for (const auto& [key, member] : members) {
        out += (out.empty() ? "{" : ",");
        AppendJsonString(key, &out);
        out += ":" + member;
      }
      return out.empty() ? std::string("{}") : out + "}";
    }
    AppendJson(v, {}, &out);
    return out;
  };
  return canon(value);
}

}  // namespace

TEST_CASE("merge: a newer incoming field replaces the target's, in a dry run only counted",
          "[e2e][sqlite][postgres][merge]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(dump, {{"tasks", "[" + Task("1", "first", kT1) + "]"}});
      Migrate(*target, work, dump, {});
      Rows before = target->Query("SELECT id, title, status FROM tasks");
      WriteDump(dump, {{"tasks", "[" + Task("1", "second", kT2, "", "done") + "]"}});

      auto dry = Migrate(*target, work, dump, {"--conflict", "merge", "--dry-run"});
      CHECK(Counted(*dry, "tasks", "merged") == 1);
      CHECK(target->Query("SELECT id, title, status FROM tasks") == before);

      auto run = Migrate(*target, work, dump, {"--conflict", "merge"});
      CHECK(Counted(*run, "tasks", "merged") == 1);
      CHECK(Counted(*run, "tasks", "inserted") == 0);
      CHECK(Counted(*run, "tasks", "conflicts") == 1);
      Rows after = target->Query("SELECT id, title, status FROM tasks");
      REQUIRE(after.size() == 1);
      CHECK(after[0] == Rows{{before[0][0], "second", "completed"}}[0]);  // same ULID
      auto [outcome, fields] = ConflictOf(*run, "tasks", "1");
      CHECK(outcome == "merged");
      CHECK(fields == std::set<std::string>{"title=incoming_newer", "status=incoming_newer",
                                            "updated_at=incoming_newer"});
      CHECK(run->result.out.find("tasks conflicts: 1 merged") != std::string::npos);
    }
  }
}

TEST_CASE("merge: an older incoming field leaves the target's; the record is unchanged",
          "[e2e][sqlite][postgres][merge]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(dump, {{"tasks", "[" + Task("1", "current", kT1) + "]"}});
      Migrate(*target, work, dump, {});
      Rows before = target->Query("SELECT * FROM tasks");
      WriteDump(dump, {{"tasks", "[" + Task("1", "stale", kT05, "", "done") + "]"}});
      auto run = Migrate(*target, work, dump, {"--conflict", "merge"});
      CHECK(Counted(*run, "tasks", "unchanged") == 1);
      CHECK(Counted(*run, "tasks", "merged") == 0);
      CHECK(target->Query("SELECT * FROM tasks") == before);
      auto [outcome, fields] = ConflictOf(*run, "tasks", "1");
      CHECK(outcome == "unchanged");
      CHECK(fields.count("title=existing_newer") == 1);
    }
  }
}

TEST_CASE("merge: a null or absent incoming field never overwrites a value",
          "[e2e][sqlite][postgres][merge]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(dump, {{"tasks", "[" + Task("1", "t", kT1, R"(,"description":"kept")") + "," +
                                     Task("2", "t", kT1, R"(,"tags":["a","b"])") + "]"}});
      Migrate(*target, work, dump, {});
      WriteDump(dump, {{"tasks", "[" + Task("1", "t1", kT2, R"(,"description":null)") + "," +
                                     Task("2", "t2", kT2) + "]"}});
      auto run = Migrate(*target, work, dump, {"--conflict", "merge"});
      CHECK(Counted(*run, "tasks", "merged") == 2);
      Rows rows = target->Query("SELECT legacy_id, title, description, tags FROM tasks ORDER BY 1");
      REQUIRE(rows.size() == 2);
      CHECK(rows[0][1] == "t1");
      CHECK(rows[0][2] == "kept");
      CHECK(rows[1][1] == "t2");
      CHECK(CanonicalJson(rows[1][3]) == R"(["a","b"])");
      CHECK(ConflictOf(*run, "tasks", "1").second.count("description=existing_kept_over_null") ==
            1);
    }
  }
}

TEST_CASE("merge: JSON objects merge member by member; a dropped secret stays out",
          "[e2e][sqlite][postgres][merge]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(
          dump,
          {{"userPreferences", std::string(R"({"theme":"dark","notifications":)") +
                                   R"({"email":true,"push":false},"updatedAt":")" + kT1 + "\"}"},
           {"environments",
            std::string(R"([{"id":"env-1","name":"E","updatedAt":")") + kT1 +
                R"(","config":{"region":"eu","size":1,"githubToken":"ghp_SECRET_ONE"}}])"}});
      Migrate(*target, work, dump, {});
      WriteDump(
          dump,
          {{"userPreferences", std::string(R"({"notifications":{"push":true},)") +
                                   R"("language":"fr","updatedAt":")" + kT2 + "\"}"},
           {"environments",
            std::string(R"([{"id":"env-1","name":"E","updatedAt":")") + kT2 +
                R"(","config":{"size":2,"extra":{"a":1},"githubToken":"ghp_SECRET_TWO"}}])"}});
      auto run = Migrate(*target, work, dump, {"--conflict", "merge"});
      CHECK(Counted(*run, "user_preferences", "merged") == 1);
      CHECK(Counted(*run, "environments", "merged") == 1);

      Rows prefs = target->Query("SELECT data FROM user_preferences WHERE user_id = 'u'");
      REQUIRE(prefs.size() == 1);
      CHECK(CanonicalJson(prefs[0][0]) ==
            CanonicalJson(std::string(R"({"theme":"dark","notifications":{"email":true,)") +
                          R"("push":true},"language":"fr","updatedAt":")" + kT2 + "\"}"));
      Rows config = target->Query("SELECT config FROM environments WHERE legacy_id = 'env-1'");
      REQUIRE(config.size() == 1);
      CHECK(CanonicalJson(config[0][0]) ==
            CanonicalJson(R"({"region":"eu","size":2,"extra":{"a":1}})"));
      CHECK(ConflictOf(*run, "user_preferences", "u")
                .second.count("data.notifications.push=incoming_newer") == 1);
      CHECK(ConflictOf(*run, "environments", "env-1")
                .second.count("config.region=existing_kept_over_null") == 1);
      std::vector<std::string> outputs = {run->report_text, run->result.out, run->result.err};
      if (target->kind() == "sqlite") {
        std::string path = target->url().substr(std::string("sqlite:").size());
        outputs.push_back(ReadFile(path));
        outputs.push_back(ReadFile(path + "-wal"));
      } else {
        for (const auto& row : target->Query("SELECT config::text FROM environments")) {
          outputs.push_back(row[0]);
        }
      }
      for (const std::string& text : outputs) {
        CHECK(text.find("ghp_SECRET") == std::string::npos);
      }
    }
  }
}

TEST_CASE("merge: the same record again is unchanged and not rewritten",
          "[e2e][sqlite][postgres][merge]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(dump, {{"tasks", "[" + Task("1", "a", kT1) + "," + Task("2", "b", kT1) + "]"},
                       {"userPreferences",
                        std::string(R"({"theme":"dark","updatedAt":")") + kT1 + "\"}"}});
      Migrate(*target, work, dump, {"--conflict", "merge"});
      Rows tasks = target->Query("SELECT * FROM tasks ORDER BY legacy_id");
      std::string id_map = "SELECT entity, legacy_id, ulid, content_hash, run_id FROM " +
                           target->Bookkeeping("id_map") + " ORDER BY 1, 2";
      Rows map = target->Query(id_map);
      auto run = Migrate(*target, work, dump, {"--conflict", "merge"});
      CHECK(Counted(*run, "tasks", "unchanged") == 2);
      CHECK(Counted(*run, "user_preferences", "unchanged") == 1);
      for (const char* entity : {"tasks", "user_preferences"}) {
        INFO(entity);
        CHECK(Counted(*run, entity, "merged") == 0);
        CHECK(Counted(*run, entity, "inserted") == 0);
        CHECK(Counted(*run, entity, "updated") == 0);
      }
      CHECK(target->Query("SELECT * FROM tasks ORDER BY legacy_id") == tasks);
      // Not rewritten: the id map still names the first run.
      CHECK(target->Query(id_map) == map);
      CHECK(ConflictOf(*run, "tasks", "1").first == "unchanged");
    }
  }
}

TEST_CASE("merge: a child merges while its parent is skipped, its reference intact",
          "[e2e][sqlite][postgres][merge]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      // The bundled mapping, with environments kept as they are (their own conflict: skip
      // overrides --conflict merge).
      std::filesystem::path mapping_dir = work.path() / "mapping";
      std::filesystem::copy(SourceDir() / "schemas" / "taskapp", mapping_dir);
      std::string mapping = ReadFile((mapping_dir / "mapping.yaml").string());
      std::string anchor = "    table: environments\n";
      REQUIRE(mapping.find(anchor) != std::string::npos);
      mapping.replace(mapping.find(anchor), anchor.size(), anchor + "    conflict: skip\n");
      std::ofstream((mapping_dir / "mapping.yaml").string()) << mapping;
      std::vector<std::string> with_mapping = {"--mapping",
                                               (mapping_dir / "mapping.yaml").string()};

      std::string dump = work / "u.json";
      auto environment = [](const std::string& name, const char* updated) {
        return R"([{"id":"env-1","name":")" + name + R"(","updatedAt":")" + updated + "\"}]";
      };
      WriteDump(dump,
                {{"environments", environment("E1", kT1)},
                 {"tasks", "[" + Task("1", "first", kT1, R"(,"environmentId":"env-1")") + "]"}});
      Migrate(*target, work, dump, with_mapping);
      WriteDump(dump,
                {{"environments", environment("E1 renamed", kT2)},
                 {"tasks", "[" + Task("1", "second", kT2, R"(,"environmentId":"env-1")") + "]"}});
      auto args = with_mapping;
      args.insert(args.end(), {"--conflict", "merge"});
      auto run = Migrate(*target, work, dump, args);
      CHECK(Counted(*run, "environments", "skipped") == 1);
      CHECK(Counted(*run, "tasks", "merged") == 1);
      CHECK(ConflictOf(*run, "environments", "env-1").first == "skipped");
      CHECK(target->Query("SELECT name FROM environments") == Rows{{"E1"}});
      Rows joined = target->Query(
          "SELECT t.title, e.legacy_id FROM tasks t JOIN environments e ON t.environment_id = "
          "e.id");
      CHECK(joined == Rows{{"second", "env-1"}});
    }
  }
}

TEST_CASE("conflict examples: each differing field before -> after, sensitive ones withheld",
          "[e2e][sqlite][postgres][merge][issue20]") {
  FERRY_FOR_EACH_TARGET(target) {
    {
      TempDir work;
      std::string dump = work / "u.json";
      auto environment = [](const std::string& name, const std::string& region,
                            const char* updated) {
        return R"([{"id":"env-1","name":")" + name + R"(","updatedAt":")" + updated +
               R"(","config":{"region":")" + region + R"(","githubToken":"ghp_SECRET_IN"}}])";
      };
      WriteDump(dump,
                {{"tasks", "[" + Task("1", "first", kT1) + "," + Task("2", "kept", kT1) + "]"},
                 {"environments", environment("E", "eu", kT1)}});
      Migrate(*target, work, dump, {});
      // The application wrote a token into the row's config since (ferry drops it).
      target->Query(
          "UPDATE environments SET config = '{\"region\":\"eu\",\"githubToken\":"
          "\"ghp_SECRET_APP\"}'");
      WriteDump(dump, {{"tasks", "[" + Task("1", "second", kT2, "", "done") + "," +
                                     Task("2", "stale", kT05) + "]"},
                       {"environments", environment("E", "us", kT2)}});
      std::string html = work / "report.html";
      auto run = Migrate(*target, work, dump, {"--conflict", "merge", "--report", html});
      CHECK(ValuesOf(*run, "tasks", "1") ==
            std::set<std::string>{
                R"(title: "first" -> "second")", R"(status: "pending" -> "completed")",
                "updated_at: 2020-01-02T00:00:00.000Z -> 2020-01-03T00:00:00.000Z"});
      // Older: the target's value stays, the source's is shown as not taken.
      CHECK(ValuesOf(*run, "tasks", "2").count(R"(title: "kept" -> "kept" (incoming "stale"))") ==
            1);
      CHECK(ValuesOf(*run, "environments", "env-1") ==
            std::set<std::string>{R"(config.region: "eu" -> "us")", "config.githubToken: withheld",
                                  "updated_at: 2020-01-02T00:00:00.000Z -> "
                                  "2020-01-03T00:00:00.000Z"});
      std::string page = ReadFile(html);
      CHECK(page.find("withheld (sensitive)") != std::string::npos);
      CHECK(page.find("<code class=\"after\">&quot;second&quot;</code>") != std::string::npos);

      // Overwrite: the columns that differ; the config column holds a sensitive member.
      WriteDump(dump, {{"environments", environment("E2", "us", kT2)}});
      auto overwrite = Migrate(*target, work, dump, {"--conflict", "overwrite"});
      CHECK(ValuesOf(*overwrite, "environments", "env-1") ==
            std::set<std::string>{R"(name: "E" -> "E2")", "config: withheld"});
      for (const std::string& text :
           {run->report_text, page, run->result.out, overwrite->report_text}) {
        CHECK(text.find("ghp_SECRET") == std::string::npos);
      }
    }
  }
}

}  // namespace ferry::e2e::merge_test
