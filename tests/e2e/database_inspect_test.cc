// End-to-end: `ferry inspect` on the app databases tools/make_app_db.py builds (issue 18):
// integer and UUID keys, planted orphans, a self-reference, a table without a creation column.
#include <fmt/format.h>
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e::database_inspect_test {
namespace {

// Builds the test database with `keys` ("int" or "uuid") and about `rows` rows in `dir`.
std::string MakeAppDb(const TempDir& dir, const std::string& keys, int rows) {
  std::string path = dir / ("app-" + keys + ".db");
  CommandResult made =
      RunShell(fmt::format("python3 '{}/tools/make_app_db.py' --keys {} "
                           "--rows {} --out '{}' 2>&1",
                           SourceDir().string(), keys, rows, path));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  return path;
}

TEST_CASE("inspect sqlite: tables, key kinds, foreign keys, orphans and creation columns",
          "[e2e][inspect][sqlite]") {
  const std::string keys = GENERATE(std::string("int"), std::string("uuid"));
  TempDir dir;
  std::string db = MakeAppDb(dir, keys, 3000);
  std::string before = FileSha256(db);
  CommandResult run = RunFerry({"inspect", "sqlite:" + db, "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(FileSha256(db) == before);  // read from a copy, never written

  simdjson::dom::parser parser;
  simdjson::dom::element report = parser.parse(run.out);
  std::vector<std::string> order;
  for (simdjson::dom::element table : report["tables"].get_array()) {
    std::string name(table["name"].get_string().value());
    order.push_back(name);
    std::string kind(table["id_kind"].get_string().value());
    CHECK(kind == (keys == "int" ? "integer" : "uuid"));
    if (keys == "uuid" && name == "clinics") {
      CHECK(table["id_kinds"]["other"].get_int64().value() == 1);  // "legacy-clinic-1"
    }
    CHECK(table["creation_column"].is_null() == (name == "tags"));
  }
  CHECK(order == std::vector<std::string>{"clinics", "users", "dashboards", "journal_entries",
                                          "orders", "reminders", "tags", "tasks"});
  int keys_seen = 0;
  for (simdjson::dom::element key : report["foreign_keys"].get_array()) {
    ++keys_seen;
    INFO(simdjson::to_string(key));
    CHECK(key["orphans"].get_int64().value() == 3);  // planted by the generator
    CHECK(key["examples"].get_array().size() == 3);
  }
  CHECK(keys_seen == 8);
  CHECK(simdjson::to_string(report["without_creation_column"]) == R"(["tags"])");
  CHECK(report["in_cycles"].get_array().size() == 0);

  CommandResult table = RunFerry({"inspect", db});  // detected without the prefix
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("tasks(parent_id) -> tasks(id)"));
  CHECK_THAT(table.out, Catch::Contains("no creation-time column"));
}

TEST_CASE("inspect sqlite: a database with other sources or --origin is a usage error",
          "[e2e][inspect][sqlite][corrupt]") {
  TempDir dir;
  std::string db = MakeAppDb(dir, "int", 200);
  CommandResult two = RunFerry({"inspect", "sqlite:" + db, "sqlite:" + db});
  CHECK(two.exit_code == 2);
  CHECK_THAT(two.err, Catch::Contains("one source"));
  CommandResult origin = RunFerry({"inspect", "sqlite:" + db, "--origin", "http://x"});
  CHECK(origin.exit_code == 2);
}

TEST_CASE("inspect sqlite --propose-mapping: a mapping migrate takes as is, never written over",
          "[e2e][inspect][sqlite]") {
  TempDir dir;
  std::string db = MakeAppDb(dir, "int", 400);
  std::string mapping = dir / "app.yaml";
  CommandResult proposed = RunFerry({"inspect", "sqlite:" + db, "--propose-mapping", mapping});
  INFO(proposed.err);
  REQUIRE(proposed.exit_code == 0);
  std::string text = ReadFile(mapping);
  CHECK_THAT(text,
             Catch::Contains(R"("user_id": {type: ulid, from: "user_id", references: "users")"));
  // The self-reference too: loaded in two passes (issue 18).
  CHECK_THAT(
      text, Catch::Contains(R"("parent_id": {type: ulid, from: "parent_id", references: "tasks")"));

  CommandResult again = RunFerry({"inspect", "sqlite:" + db, "--propose-mapping", mapping});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("the file exists"));
  CHECK(ReadFile(mapping) == text);
  CHECK((std::filesystem::status(mapping).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  // "-": the same mapping on standard output, alone (no table), as for a store; no file "-".
  CommandResult to_stdout = RunFerry({"inspect", "sqlite:" + db, "--propose-mapping", "-"});
  CHECK(to_stdout.exit_code == 0);
  CHECK(to_stdout.out == text);
  CHECK_FALSE(std::filesystem::exists("-"));

  CommandResult run = RunFerry({"migrate", "sqlite:" + db, "--mapping", mapping, "--user-id", "app",
                                "--target", "sqlite:" + (dir / "out.db"), "--no-backup",
                                "--continue-on-error", "--rejects", dir / "rejects.ndjson"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);  // the planted orphans
  CHECK(Query(dir / "out.db", "SELECT count(*) FROM users")[0][0] ==
        Query(db, "SELECT count(*) FROM users")[0][0]);

  // A store is proposed for from its keys and values instead (docs/unknown-store.md).
  CommandResult not_a_database =
      RunFerry({"inspect", (SourceDir() / "examples/chromium-taskapp").string(),
                "--propose-mapping", dir / "x.yaml"});
  CHECK(not_a_database.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "x.yaml"));
}

}  // namespace
}  // namespace ferry::e2e::database_inspect_test
