// End-to-end, on every target (SQLite and PostgreSQL): `ferry schema status | up | down` on the
// real binary, with `ferry migrate` going through the same recorded migrations, and a mapping
// that changed a table refused by status, up and migrate alike.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/admin_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::schema_command_test {

namespace {

// A one-entity mapping; `dropped` changes the notes table in a way ferry cannot evolve (the
// text column goes; schema_evolution_test.cc has the changes it can make).
std::string NotesMapping(bool dropped) {
  std::string yaml =
      "version: 1\n"
      "name: notes\n"
      "entities:\n"
      "  notes:\n"
      "    source: {keys: [notes]}\n"
      "    primary_key: [id]\n"
      "    columns:\n"
      "      id: {type: ulid, from: $ulid}\n"
      "      user_id: {type: text, from: $user, nullable: false}\n";
  if (!dropped) yaml += "      text: {type: text}\n";
  return yaml;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Migrations of ferry's own bookkeeping: PostgreSQL has bookkeeping 2 (keyed by target
// schema, docs/schema-migrations.md), SQLite only version 1.
int BookkeepingMigrations(const TargetFixture& target) {
  // PostgreSQL: version 1, keyed by target schema, unchanged in runs, archive in runs, unit
  // rejects; SQLite: version 1, unchanged in runs, archive in runs, unit rejects.
  return target.kind() == "postgresql" ? 5 : 4;
}

CommandResult Schema(const std::string& action, const TargetFixture& target,
                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"schema", action, "--target", target.url()};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunFerry(args);
}

CommandResult MigrateExample(const TargetFixture& target, const TempDir& work) {
  return RunFerry({"migrate", (SourceDir() / "examples" / "taskapp-dump.json").string(),
                   "--user-id", "demo", "--target", target.url(), "--continue-on-error",
                   "--rejects", work / "rejects.ndjson", "--progress", "none"});
}

}  // namespace

TEST_CASE("schema command: status, up, migrate, down and up again on the bundled mapping",
          "[e2e][schema][sqlite][postgres]") {
  TempDir work;
  FERRY_FOR_EACH_TARGET(target) {
    // The bookkeeping's own migrations come first (BookkeepingMigrations).
    const int b = BookkeepingMigrations(*target);
    const int all = b + 5;
    // status on an empty target: everything pending, exit 0, nothing written.
    CommandResult status = Schema("status", *target);
    INFO(status.err);
    REQUIRE(status.exit_code == 0);
    std::vector<std::string> lines = Lines(status.out);
    REQUIRE(lines.size() == static_cast<size_t>(all));  // the bookkeeping and five tables
    CHECK(lines[0].rfind("1  pending", 0) == 0);
    CHECK(lines[0].find("ferry bookkeeping") != std::string::npos);
    CHECK(lines[b - 1].find("ferry bookkeeping") != std::string::npos);
    CHECK(lines[b + 1].find("create table") != std::string::npos);
    CHECK(lines[b + 1].find("\"tasks\" (mapping \"taskapp\", entity \"tasks\")") !=
          std::string::npos);
    CHECK_FALSE(target->Touched());

    // up applies all six, one a line; then there is nothing to do.
    CommandResult up = Schema("up", *target);
    INFO(up.err);
    REQUIRE(up.exit_code == 0);
    CHECK(Lines(up.out).size() == static_cast<size_t>(all));
    CHECK(up.out.find("applied " + std::to_string(all) + "  create table") != std::string::npos);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("schema_history")) == all);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    CHECK(Schema("up", *target).out.find("is up to date") != std::string::npos);

    // status --json: every migration applied, versions 1 to `all`.
    CommandResult json = Schema("status", *target, {"--json"});
    REQUIRE(json.exit_code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(json.out);
    CHECK(std::string_view(doc["mapping"]) == "taskapp");
    simdjson::dom::array migrations = doc["migrations"].get_array();
    REQUIRE(migrations.size() == static_cast<size_t>(all));
    int64_t version = 0;
    for (simdjson::dom::element m : migrations) {
      CHECK(int64_t(m["version"]) == ++version);
      CHECK(std::string_view(m["state"]) == "applied");
      CHECK(std::string_view(m["checksum"]) == std::string_view(m["recorded_checksum"]));
    }

    // migrate loads into the recorded tables and records nothing more.
    REQUIRE(MigrateExample(*target, work).exit_code == 3);  // the example holds invalid records
    int64_t custom = target->Count("SELECT count(*) FROM custom_data");
    REQUIRE(custom > 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("schema_history")) == all);

    // down: custom_data (the newest) holds rows, so only with --force.
    CommandResult refused = Schema("down", *target);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("custom_data\" holds") != std::string::npos);
    CHECK(refused.err.find("--force") != std::string::npos);
    CommandResult down = Schema("down", *target, {"--force"});
    INFO(down.err);
    REQUIRE(down.exit_code == 0);
    CHECK(down.out.find("reverted " + std::to_string(all)) != std::string::npos);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map") +
                        " WHERE entity = 'custom_data'") == 0);
    CHECK(Lines(Schema("status", *target).out)[all - 1].find("pending") != std::string::npos);

    // migrate creates it again (recorded as the newest) and, its id map forgotten, writes its rows
    // again.
    REQUIRE(MigrateExample(*target, work).exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM custom_data") == custom);
    CHECK(target->Count("SELECT max(version) FROM " + target->Bookkeeping("schema_history")) ==
          all);
    CHECK(Schema("status", *target).exit_code == 0);
  }
}

TEST_CASE("schema command: a mapping that changed a table is CHANGED, and refused until reverted",
          "[e2e][schema][sqlite][postgres]") {
  TempDir work;
  Write(work / "v1.yaml", NotesMapping(false));
  Write(work / "v2.yaml", NotesMapping(true));
  Write(work / "notes.json",
        R"({"notes":"[{\"id\":1,\"text\":\"a\"},{\"id\":2,\"text\":\"b\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    auto migrate = [&](const std::string& mapping, std::vector<std::string> extra = {}) {
      std::vector<std::string> args = {
          "migrate",     work / "notes.json", "--user-id", "u1",         "--target",
          target->url(), "--mapping",         mapping,     "--progress", "none"};
      args.insert(args.end(), extra.begin(), extra.end());
      return RunFerry(args);
    };
    const std::string since =
        "notes\" since migration " + std::to_string(2 + BookkeepingMigrations(*target) - 1);
    REQUIRE(migrate(work / "v1.yaml").exit_code == 0);
    REQUIRE(target->Count("SELECT count(*) FROM notes") == 2);

    CommandResult status = Schema("status", *target, {"--mapping", work / "v2.yaml"});
    CHECK(status.exit_code == 1);
    CHECK(status.out.find("CHANGED") != std::string::npos);
    CHECK(status.err.find("the mapping changed table") != std::string::npos);
    CHECK(status.err.find(since) != std::string::npos);

    for (bool dry_run : {true, false}) {
      CommandResult run = migrate(work / "v2.yaml", dry_run ? std::vector<std::string>{"--dry-run"}
                                                            : std::vector<std::string>{});
      CHECK(run.exit_code == 2);  // a changed mapping is a configuration error
      CHECK(run.err.find(since) != std::string::npos);
      CHECK(run.err.find("Corruption") == std::string::npos);
    }
    CommandResult up = Schema("up", *target, {"--mapping", work / "v2.yaml"});
    CHECK(up.exit_code == 2);
    CHECK(up.err.find("never drops a column") != std::string::npos);
    CHECK(up.out.find("up to date") == std::string::npos);  // only the refusal (issue 16 #10)

    // The way out: revert (the table holds rows: --force), then up with the new mapping.
    REQUIRE(Schema("down", *target, {"--mapping", work / "v2.yaml", "--force"}).exit_code == 0);
    REQUIRE(Schema("up", *target, {"--mapping", work / "v2.yaml"}).exit_code == 0);
    CHECK(Schema("status", *target, {"--mapping", work / "v2.yaml"}).exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM notes") == 0);
    REQUIRE(migrate(work / "v2.yaml").exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM notes") == 2);  // written again: id map forgotten
  }
}

TEST_CASE("schema command: usage errors and a missing mapping are exit 2", "[e2e][schema][cli]") {
  TempDir work;
  std::string target = "sqlite:" + (work / "t.db");
  CHECK(RunFerry({"schema"}).exit_code == 2);
  CHECK(RunFerry({"schema", "sideways", "--target", target}).exit_code == 2);
  CHECK(RunFerry({"schema", "status", "--force", "--target", target}).exit_code == 2);
  CommandResult missing =
      RunFerry({"schema", "up", "--target", target, "--mapping", work / "nope.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.yaml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(work / "t.db"));
  CommandResult help = RunFerry({"schema", "down", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--force") != std::string::npos);
  CHECK(help.out.find("version 1") != std::string::npos);
}

TEST_CASE("schema command: down is refused while a run is loading, then reverts and is audited",
          "[e2e][schema][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult up = RunFerry({"schema", "up", "--target", target->url()});
    INFO(up.err);
    REQUIRE(up.exit_code == 0);
    const std::string history = "SELECT count(*) FROM " + target->Bookkeeping("schema_history");
    int64_t migrations = target->Count(history);

    std::unique_ptr<Loader> holder = HolderLoader(*target, "RUN_LOADING");  // alive: this process
    CommandResult refused = RunFerry({"schema", "down", "--target", target->url(), "--force"});
    INFO(refused.err);
    CHECK(refused.exit_code == 4);
    CHECK(refused.err.find("run RUN_LOADING") != std::string::npos);
    CHECK(target->Count(history) == migrations);  // nothing reverted

    RunTotals totals;
    totals.status = "completed";
    REQUIRE(holder->FinishRun(totals).ok());
    CommandResult reverted = RunFerry({"schema", "down", "--target", target->url()});
    INFO(reverted.err);
    CHECK(reverted.exit_code == 0);
    CHECK(target->Count(history) == migrations - 1);
    // The revert is audited: only the allowed one, naming the migration and what went.
    auto audit = target->Query("SELECT detail FROM " + target->Bookkeeping("audit_log") +
                               " WHERE action = 'schema down'");
    REQUIRE(audit.size() == 1);
    CHECK(audit[0][0].find("reverted migration " + std::to_string(migrations)) !=
          std::string::npos);
    CHECK(audit[0][0].find("with 0 row(s)") != std::string::npos);
  }
}

}  // namespace ferry::e2e::schema_command_test
