// End-to-end, on every target (SQLite and PostgreSQL): the evolution steps of issue 16 item 6
// beyond a nullable column: a column with the mapping's `default` (NOT NULL or not), whose
// value the rows already there take, and the mapping's plain `indexes`, created with a fresh
// table, added to a recorded or adopted one, and each reverted alone by `schema down`.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/app_tables.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::schema_evolution_steps_test {

namespace {

using Rows = std::vector<std::vector<std::string>>;

// The notes mapping with `extra` columns after `text`, then `entity_extra` (indexes).
std::string Notes(const std::string& extra = "", const std::string& entity_extra = "") {
  return "version: 1\n"
         "name: notes\n"
         "entities:\n"
         "  notes:\n"
         "    source: {keys: [notes]}\n"
         "    primary_key: [id]\n" +
         entity_extra +
         "    columns:\n"
         "      id: {type: ulid, from: $ulid}\n"
         "      user_id: {type: text, from: $user, nullable: false}\n"
         "      text: {type: text}\n" +
         extra;
}

const char kDefaulted[] =
    "      rank: {type: integer, nullable: false, default: 3}\n"
    "      label: {type: text, default: \"it's \\\"x\\\"\"}\n"
    "      seen: {type: timestamp, default: '2024-05-06T07:08:09.010Z'}\n"
    "      score: {type: real, default: 0.1}\n"
    "      flag: {type: boolean, nullable: false, default: true}\n"
    "      meta: {type: json, default: {a: [1, x]}}\n";

const char kIndexes[] =
    "    indexes:\n"
    "      - {columns: [user_id, text]}\n"
    "      - {columns: [text], name: notes_by_text}\n";

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
                      const std::string& dump = "notes.json") {
  return Ferry({"migrate", work / dump, "--user-id", "u1", "--target", target.url(), "--mapping",
                mapping, "--progress", "none"});
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The number of indexes named `name` in the target.
int64_t IndexCount(TargetFixture& target, const std::string& name) {
  return target.Count(target.kind() == "sqlite"
                          ? "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '" +
                                name + "'"
                          : "SELECT count(*) FROM pg_indexes WHERE indexname = '" + name + "'");
}

int64_t HistoryRows(TargetFixture& target) {
  return target.Count("SELECT count(*) FROM " + target.Bookkeeping("schema_history"));
}

}  // namespace

TEST_CASE("schema evolution: columns with a default; the rows already there take it",
          "[e2e][schema][evolution][sqlite][postgres]") {
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  const std::string v2 = work / "v2.yaml";
  Write(v1, Notes());
  Write(v2, Notes(kDefaulted));
  Write(work / "notes.json",
        R"({"notes":"[{\"id\":1,\"text\":\"a\"},{\"id\":2,\"text\":\"b\"}]"})");
  Write(work / "more.json", R"({"notes":"[{\"id\":3,\"text\":\"c\",\"rank\":7}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(Migrate(*target, work, v1).exit_code == 0);
    const Rows ulids = target->Query("SELECT id FROM notes ORDER BY id");
    const int64_t recorded = HistoryRows(*target);

    CommandResult status = Schema("status", *target, v2);
    CHECK(status.exit_code == 0);
    CHECK(Has(status.out, "add column \"rank\" (integer) not null default 3"));
    CHECK(Has(status.out, "add column \"label\" (text) default \"it's \\\"x\\\"\""));
    CHECK(Has(status.out, "add column \"seen\" (timestamp) default \"2024-05-06T07:08:09.010Z\""));
    CHECK(Has(status.out, "add column \"flag\" (boolean) not null default true"));
    CHECK(Has(status.out, "add column \"meta\" (json) default {\"a\":[1,\"x\"]}"));
    CHECK_FALSE(Has(status.out, "CHANGED"));
    CHECK(Migrate(*target, work, v2).exit_code == 2);  // migrate never alters a table

    REQUIRE(Schema("up", *target, v2).exit_code == 0);
    CHECK(HistoryRows(*target) == recorded + 6);
    CHECK(target->Query("SELECT id FROM notes ORDER BY id") == ulids);
    // Every row already there took each default, exactly.
    CHECK(target->Query("SELECT rank, label, seen, flag FROM notes ORDER BY id") ==
          Rows(2, {"3", "it's \"x\"", "2024-05-06T07:08:09.010Z", "1"}));
    CHECK(target->Count("SELECT count(*) FROM notes WHERE score = 0.1") == 2);
    std::string json =
        target->kind() == "sqlite" ? "'{\"a\":[1,\"x\"]}'" : "'{\"a\":[1,\"x\"]}'::jsonb";
    CHECK(target->Count("SELECT count(*) FROM notes WHERE meta = " + json) == 2);
    CommandResult after = Schema("status", *target, v2);
    CHECK(after.exit_code == 0);
    CHECK_FALSE(Has(after.out, "pending"));

    // Runs write every value themselves: a record's own, else the mapping's default.
    REQUIRE(Migrate(*target, work, v2, "more.json").exit_code == 0);
    CHECK(target->Query("SELECT rank, flag FROM notes ORDER BY id") ==
          Rows{{"3", "1"}, {"3", "1"}, {"7", "1"}});

    // down reverts one step at a time, newest first; a column holding only its default is
    // dropped without --force, one holding another value (rank 7) only with it.
    for (const char* column : {"meta", "flag", "score", "seen", "label"}) {
      CommandResult down = Schema("down", *target, v2, {"notes"});
      INFO(column);
      CHECK(down.exit_code == 0);
      CHECK(Has(down.out, std::string("add column \"") + column + "\""));
    }
    CommandResult rank = Schema("down", *target, v2, {"notes"});
    CHECK(rank.exit_code == 2);
    CHECK(Has(rank.err, "holds 1 value"));
    REQUIRE(Schema("down", *target, v2, {"notes", "--force"}).exit_code == 0);
    CHECK(HistoryRows(*target) == recorded);
    CommandResult back = Schema("status", *target, v1);
    CHECK(back.exit_code == 0);
    CHECK_FALSE(Has(back.out, "pending"));
    CHECK(target->Count("SELECT count(*) FROM notes") == 3);
  }
}

TEST_CASE("schema evolution: indexes added to a recorded table, each reverted alone",
          "[e2e][schema][evolution][sqlite][postgres]") {
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  const std::string v2 = work / "v2.yaml";
  Write(v1, Notes());
  Write(v2, Notes("", kIndexes));
  Write(work / "notes.json", R"({"notes":"[{\"id\":1,\"text\":\"a\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(Migrate(*target, work, v1).exit_code == 0);
    const int64_t recorded = HistoryRows(*target);
    CommandResult status = Schema("status", *target, v2);
    CHECK(status.exit_code == 0);
    CHECK(Has(status.out, "add index \"ferry_notes_user_id_text_idx\" (\"user_id\", \"text\")"));
    CHECK(Has(status.out, "add index \"notes_by_text\" (\"text\")"));
    CommandResult refused = Migrate(*target, work, v2);
    CHECK(refused.exit_code == 2);
    CHECK(Has(refused.err, "ferry schema up"));

    REQUIRE(Schema("up", *target, v2).exit_code == 0);
    CHECK(HistoryRows(*target) == recorded + 2);
    CHECK(IndexCount(*target, "ferry_notes_user_id_text_idx") == 1);
    CHECK(IndexCount(*target, "notes_by_text") == 1);
    CHECK(Migrate(*target, work, v2).exit_code == 0);
    CHECK_FALSE(Has(Schema("status", *target, v2).out, "pending"));

    REQUIRE(Schema("down", *target, v2, {"notes"}).exit_code == 0);
    CHECK(IndexCount(*target, "notes_by_text") == 0);
    CHECK(IndexCount(*target, "ferry_notes_user_id_text_idx") == 1);
    REQUIRE(Schema("down", *target, v2, {"notes"}).exit_code == 0);
    CHECK(IndexCount(*target, "ferry_notes_user_id_text_idx") == 0);
    CHECK(HistoryRows(*target) == recorded);
    CHECK_FALSE(Has(Schema("status", *target, v1).out, "pending"));
    CHECK(target->Count("SELECT count(*) FROM notes") == 1);
  }
}

TEST_CASE("schema evolution: a fresh table gets its indexes in its own migration",
          "[e2e][schema][evolution][sqlite][postgres]") {
  TempDir work;
  const std::string v2 = work / "v2.yaml";
  Write(v2, Notes("", kIndexes));
  Write(work / "notes.json", R"({"notes":"[{\"id\":1,\"text\":\"a\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    REQUIRE(Migrate(*target, work, v2).exit_code == 0);
    CHECK(IndexCount(*target, "ferry_notes_user_id_text_idx") == 1);
    CHECK(IndexCount(*target, "notes_by_text") == 1);
    CommandResult status = Schema("status", *target, v2);
    CHECK(status.exit_code == 0);
    CHECK_FALSE(Has(status.out, "pending"));
    CHECK_FALSE(Has(status.out, "evolve table"));
    // The mapping now drops an index: ferry never drops one; the table is recorded as it is.
    const std::string fewer = work / "fewer.yaml";
    Write(fewer, Notes("", "    indexes:\n      - {columns: [user_id, text]}\n"));
    REQUIRE(Schema("up", *target, fewer).exit_code == 0);
    CHECK(IndexCount(*target, "notes_by_text") == 1);
    REQUIRE(Schema("down", *target, fewer, {"notes"}).exit_code == 0);  // that record
    REQUIRE(Schema("down", *target, v2, {"notes", "--force"}).exit_code == 0);
    CHECK(AppTableCount(*target) == 0);
  }
}

TEST_CASE("schema evolution: an adopted table gets the indexes it lacks; its own ones serve",
          "[e2e][schema][evolution][adopt][sqlite][postgres]") {
  TempDir work;
  const std::string v2 = work / "v2.yaml";
  Write(v2, Notes("", kIndexes));
  Write(work / "notes.json", R"({"notes":"[{\"id\":1,\"text\":\"a\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    // The application's table, with its own index on (text) under its own name.
    AppExec(*target,
            "CREATE TABLE notes (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, text TEXT); "
            "CREATE INDEX app_text ON notes (text)");
    CommandResult status = Schema("status", *target, v2);
    CHECK(status.exit_code == 0);
    CHECK(Has(status.out, "adopt table"));
    CHECK(Has(status.out, "add index \"ferry_notes_user_id_text_idx\""));
    CHECK_FALSE(Has(status.out, "add index \"notes_by_text\""));
    CHECK(Migrate(*target, work, v2).exit_code == 2);  // names `ferry schema up`

    REQUIRE(Schema("up", *target, v2).exit_code == 0);
    CHECK(IndexCount(*target, "ferry_notes_user_id_text_idx") == 1);
    CHECK(IndexCount(*target, "notes_by_text") == 0);
    CHECK(IndexCount(*target, "app_text") == 1);
    REQUIRE(Migrate(*target, work, v2).exit_code == 0);

    // down: the step, then the adoption (forgotten, never dropped; the app's index stays).
    REQUIRE(Schema("down", *target, v2, {"notes"}).exit_code == 0);
    CHECK(IndexCount(*target, "ferry_notes_user_id_text_idx") == 0);
    REQUIRE(Schema("down", *target, v2, {"notes", "--force"}).exit_code == 0);
    CHECK(AppTableCount(*target) == 1);
    CHECK(IndexCount(*target, "app_text") == 1);
    CHECK(target->Count("SELECT count(*) FROM notes") == 1);
  }
}

TEST_CASE("schema evolution: an index name the table uses on other columns is refused",
          "[e2e][schema][evolution][hostile][sqlite][postgres]") {
  TempDir work;
  const std::string v1 = work / "v1.yaml";
  const std::string v2 = work / "v2.yaml";
  Write(v1, Notes());
  Write(v2, Notes("", "    indexes:\n      - {columns: [text], name: notes_by_text}\n"));
  Write(work / "notes.json", R"({"notes":"[{\"id\":1,\"text\":\"a\"}]"})");
  FERRY_FOR_EACH_TARGET(target) {
    SECTION("recorded table: CHANGED, with the manual step") {
      REQUIRE(Migrate(*target, work, v1).exit_code == 0);
      AppExec(*target, "CREATE INDEX notes_by_text ON notes (user_id)");
      CommandResult status = Schema("status", *target, v2);
      CHECK(status.exit_code == 1);
      CHECK(Has(status.out, "CHANGED"));
      CHECK(Has(status.err, "DROP INDEX \"notes_by_text\""));
      CHECK(Schema("up", *target, v2).exit_code == 2);
    }
    SECTION("adoption: refused before anything is written") {
      AppExec(*target,
              "CREATE TABLE notes (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, text TEXT); "
              "CREATE INDEX notes_by_text ON notes (user_id)");
      CommandResult status = Schema("status", *target, v2);
      CHECK(status.exit_code == 2);
      CHECK(Has(status.err, "DROP INDEX \"notes_by_text\""));
      CommandResult up = Schema("up", *target, v2);
      CHECK(up.exit_code == 2);
      CHECK(Has(up.err, "DROP INDEX \"notes_by_text\""));
      CHECK(FerryBookkeepingCount(*target) == 0);
    }
  }
}

}  // namespace ferry::e2e::schema_evolution_steps_test
