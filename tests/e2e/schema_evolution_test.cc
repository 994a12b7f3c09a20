// End-to-end, on every target (SQLite and PostgreSQL): a mapping change becomes versioned
// migrations instead of a dropped table (issue 16 item 6). Mapping v1 is loaded; v2 adds a
// nullable column and a unique key: `schema status` lists the steps, migrate refuses until
// `schema up` applies them, every row keeps its ULID, and `schema down TABLE` reverts exactly
// one step. A change ferry cannot make safely is refused with the manual steps, and `schema up`
// then prints only the refusal (item 10).
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::schema_evolution_test {

namespace {

using Rows = std::vector<std::vector<std::string>>;

// The notes mapping; `extra` goes after the `text` column, `unique` after the columns.
std::string NotesMapping(const std::string& text_type = "text", const std::string& extra = "",
                         const std::string& unique = "") {
  return "version: 1\n"
         "name: notes\n"
         "entities:\n"
         "  notes:\n"
         "    source: {keys: [notes]}\n"
         "    primary_key: [id]\n"
         "    columns:\n"
         "      id: {type: ulid, from: $ulid}\n"
         "      user_id: {type: text, from: $user, nullable: false}\n"
         "      text: {type: " +
         text_type + "}\n" + extra + unique;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

CommandResult Ferry(const std::vector<std::string>& args) {
  CommandResult result = RunFerry(args);
  UNSCOPED_INFO("ferry " << args.at(0) << " " << args.at(1) << ": exit " << result.exit_code << "\n"
                         << result.out << result.err);
  return result;
}

CommandResult Schema(const std::string& action, const TargetFixture& target,
                     const std::string& mapping, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"schema",     action,      "--target",
                                   target.url(), "--mapping", mapping};
  args.insert(args.end(), extra.begin(), extra.end());
  return Ferry(args);
}

CommandResult Migrate(const TargetFixture& target, const TempDir& work, const std::string& mapping,
                      bool dry_run = false, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "migrate",    work / "notes.json", "--user-id", "u1",         "--target",
      target.url(), "--mapping",         mapping,     "--progress", "none"};
  if (dry_run) args.push_back("--dry-run");
  args.insert(args.end(), extra.begin(), extra.end());
  return Ferry(args);
}

int64_t HistoryRows(TargetFixture& target) {
  return target.Count("SELECT count(*) FROM " + target.Bookkeeping("schema_history"));
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("schema evolution: a nullable column and a unique key, applied and reverted one by one",
          "[e2e][schema][evolution][sqlite][postgres]") {
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  const std::string v2 = work / "v2.yaml";
  Write(v1, NotesMapping());
  Write(v2,
        NotesMapping("text", "      done: {type: boolean}\n", "    unique: [[user_id, text]]\n"));
  Write(work / "notes.json",
        R"({"notes":"[{\"id\":1,\"text\":\"a\"},{\"id\":2,\"text\":\"b\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(Migrate(*target, work, v1).exit_code == 0);
    const Rows ulids = target->Query("SELECT id FROM notes ORDER BY id");
    REQUIRE(ulids.size() == 2);
    const int64_t recorded = HistoryRows(*target);

    // status: the table stays applied, two steps pending; nothing written.
    CommandResult status = Schema("status", *target, v2);
    CHECK(status.exit_code == 0);
    CHECK(Has(status.out, "pending"));
    CHECK(Has(status.out, "evolve table"));
    CHECK(Has(status.out, "add column \"done\" (boolean)"));
    CHECK(Has(status.out, "add unique key (\"user_id\", \"text\")"));
    CHECK_FALSE(Has(status.out, "CHANGED"));

    // migrate (and its dry run) never alter a table: exit 2, naming `ferry schema up`.
    for (bool dry_run : {true, false}) {
      CommandResult run = Migrate(*target, work, v2, dry_run);
      CHECK(run.exit_code == 2);
      CHECK(Has(run.err, "ferry schema up"));
    }
    CHECK(HistoryRows(*target) == recorded);

    // up applies each step as its own recorded migration; the rows keep their ULIDs.
    CommandResult up = Schema("up", *target, v2);
    REQUIRE(up.exit_code == 0);
    const int add_column = static_cast<int>(recorded) + 1;
    CHECK(Has(up.out, "applied " + std::to_string(add_column) + "  evolve table"));
    CHECK(Has(up.out, "applied " + std::to_string(add_column + 1) + "  evolve table"));
    CHECK(HistoryRows(*target) == recorded + 2);
    CHECK(target->Query("SELECT id FROM notes ORDER BY id") == ulids);
    CHECK(target->Count("SELECT count(*) FROM notes WHERE done IS NULL") == 2);
    CommandResult after = Schema("status", *target, v2);
    CHECK(after.exit_code == 0);
    CHECK_FALSE(Has(after.out, "pending"));
    REQUIRE(Migrate(*target, work, v2).exit_code == 0);
    CHECK(target->Query("SELECT id FROM notes ORDER BY id") == ulids);

    // Nothing more to apply.
    CommandResult same_key = Schema("up", *target, v2);
    CHECK(Has(same_key.out, "is up to date"));

    // down VERSION of a step that is not its table's newest: refused.
    CommandResult not_newest = Schema("down", *target, v2, {std::to_string(add_column)});
    CHECK(not_newest.exit_code == 2);
    CHECK(Has(not_newest.err, "not its newest"));

    // down TABLE reverts exactly the newest step: the unique key goes, the column stays.
    CommandResult down = Schema("down", *target, v2, {"notes"});
    REQUIRE(down.exit_code == 0);
    CHECK(Has(down.out, "add unique key"));
    CHECK(Has(down.out, "stays with its rows"));
    CHECK(target->Count("SELECT count(*) FROM notes WHERE done IS NULL") == 2);
    CommandResult one_left = Schema("status", *target, v2);
    CHECK(one_left.exit_code == 0);
    CHECK(Has(one_left.out, "add unique key"));
    CHECK_FALSE(Has(one_left.out, "add column \"done\" (boolean) ["));

    // down VERSION reverts the column; v1 is applied again, every row still there.
    REQUIRE(Schema("down", *target, v2, {std::to_string(add_column)}).exit_code == 0);
    CHECK(HistoryRows(*target) == recorded);
    CommandResult back = Schema("status", *target, v1);
    CHECK(back.exit_code == 0);
    CHECK_FALSE(Has(back.out, "pending"));
    CHECK(target->Query("SELECT id FROM notes ORDER BY id") == ulids);
    CHECK(Migrate(*target, work, v1).exit_code == 0);
  }
}

TEST_CASE("schema evolution: a column that holds values is dropped by down only with --force",
          "[e2e][schema][evolution][sqlite][postgres]") {
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  const std::string v2 = work / "v2.yaml";
  Write(v1, NotesMapping());
  Write(v2, NotesMapping("text", "      done: {type: boolean}\n"));
  Write(work / "notes.json",
        R"({"notes":"[{\"id\":1,\"text\":\"a\",\"done\":true},{\"id\":2,\"text\":\"b\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(Migrate(*target, work, v1).exit_code == 0);
    REQUIRE(Schema("up", *target, v2).exit_code == 0);
    // The rows already loaded keep NULL in the new column until a run rewrites them.
    REQUIRE(Migrate(*target, work, v2).exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM notes WHERE done IS NOT NULL") == 0);
    REQUIRE(Migrate(*target, work, v2, false, {"--conflict", "overwrite"}).exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM notes WHERE done IS NOT NULL") == 1);
    CommandResult down = Schema("down", *target, v2, {"notes"});
    CHECK(down.exit_code == 2);
    CHECK(Has(down.err, "holds 1 value"));
    CHECK(Has(down.err, "--force"));
    REQUIRE(Schema("down", *target, v2, {"notes", "--force"}).exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM notes") == 2);
  }
}

TEST_CASE("schema evolution: an unsafe change is refused with the manual steps, nothing written",
          "[e2e][schema][evolution][sqlite][postgres]") {
  struct Change {
    const char* name;
    std::string mapping;
    const char* manual;  // a part of the manual steps the refusal must give
  };
  const std::vector<Change> changes = {
      {"drop column", NotesMapping("text").substr(0, NotesMapping("text").find("      text:")),
       "DROP COLUMN \"text\""},
      {"narrow type", NotesMapping("integer"), "ALTER COLUMN \"text\" TYPE"},
      {"NOT NULL without default",
       NotesMapping("text", "      must: {type: text, nullable: false}\n"),
       "NOT NULL without a default"},
  };
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  Write(v1, NotesMapping());
  Write(work / "notes.json",
        R"({"notes":"[{\"id\":1,\"text\":\"a\"},{\"id\":2,\"text\":\"b\"}]"})");
  for (const Change& change : changes) {
    FERRY_FOR_EACH_TARGET(target) {
      INFO(change.name);
      const std::string v2 = work / "v2.yaml";
      Write(v2, change.mapping);
      REQUIRE(Migrate(*target, work, v1).exit_code == 0);
      const int64_t recorded = HistoryRows(*target);

      CommandResult status = Schema("status", *target, v2);
      CHECK(status.exit_code == 1);
      CHECK(Has(status.out, "CHANGED"));
      CHECK(Has(status.err, change.manual));

      CommandResult up = Schema("up", *target, v2);
      CHECK(up.exit_code == 2);
      CHECK(Has(up.err, change.manual));
      CHECK_FALSE(Has(up.out, "up to date"));  // issue 16 item 10
      CHECK_FALSE(Has(up.err, "Corruption"));

      CommandResult run = Migrate(*target, work, v2);
      CHECK(run.exit_code == 2);
      CHECK(Has(run.err, change.manual));
      CHECK(HistoryRows(*target) == recorded);
      CHECK(target->Count("SELECT count(*) FROM notes") == 2);
    }
  }
}

}  // namespace ferry::e2e::schema_evolution_test

namespace ferry::e2e::schema_evolution_test {

TEST_CASE(
    "schema evolution: a ulid column widened to text (PostgreSQL drops its CHECK; SQLite "
    "has nothing to do)",
    "[e2e][schema][evolution][sqlite][postgres]") {
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  const std::string v2 = work / "v2.yaml";
  Write(v1, NotesMapping("text", "      ref: {type: ulid}\n"));
  Write(v2, NotesMapping("text", "      ref: {type: text}\n"));
  Write(work / "notes.json",
        R"({"notes":"[{\"id\":1,\"text\":\"a\",\"ref\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(Migrate(*target, work, v1).exit_code == 0);
    const Rows ulids = target->Query("SELECT id, ref FROM notes");
    CommandResult status = Schema("status", *target, v2);
    CHECK(status.exit_code == 0);
    if (target->kind() == "sqlite") {
      // Both TEXT: the same CREATE statement, the same checksum; nothing to apply.
      CHECK_FALSE(Has(status.out, "pending"));
      CHECK(Migrate(*target, work, v2).exit_code == 0);
      continue;
    }
    CHECK(Has(status.out, "widen column \"ref\" from ulid to text"));
    REQUIRE(Schema("up", *target, v2).exit_code == 0);
    target->Query("UPDATE notes SET ref = 'not a ulid'");  // the CHECK is gone
    CHECK(target->Count("SELECT count(*) FROM notes WHERE ref = 'not a ulid'") == 1);
    // Reverting adds the CHECK back, which the server refuses now: the step stays.
    CHECK(Schema("down", *target, v2, {"notes"}).exit_code != 0);
    target->Query("UPDATE notes SET ref = NULL");
    REQUIRE(Schema("down", *target, v2, {"notes"}).exit_code == 0);
    CHECK(Schema("status", *target, v1).exit_code == 0);
    CHECK(target->Query("SELECT id FROM notes") == Rows{{ulids.at(0).at(0)}});
  }
}

}  // namespace ferry::e2e::schema_evolution_test
