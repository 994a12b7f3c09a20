// End-to-end: `ferry rekey --strategy switch` on the app database of tools/make_app_db.py in
// SQLite and PostgreSQL, integer and UUID keys (issue 18 item 4, docs/rekey.md "Switching the
// keys"): a dry run prints the statements and writes nothing; a run killed just before the
// switch's commit, then the same command, ends with the ULID columns as the primary and foreign
// keys (PostgreSQL: under the constraints' old names), the old keys in legacy_ columns, every
// join through the new keys pairing the same rows as the join through the old ones did, the
// planted orphans named; and `ferry rollback` of it gives back the exact catalog and rows. A
// view or a table outside the plan in its way is refused before anything is written.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>

#include "tests/e2e/app_db.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/rekey_util.h"
#include "tests/e2e/target_fixture.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry::e2e::rekey_switch_test {
namespace {

// (child key, parent key) of every row whose reference names a parent, as text, through the
// old keys (`legacy` false, before the switch) or through the new ones, named by the old
// keys kept in legacy_ columns (after it).
std::vector<std::vector<std::string>> Pairs(TargetFixture& target, const AppDbReference& ref,
                                            bool legacy) {
  if (!legacy) {
    return target.Query(fmt::format(
        "SELECT CAST(c.id AS TEXT), CAST(p.id AS TEXT) FROM {0} c JOIN {1} p ON p.id = c.{2} "
        "ORDER BY 1, 2",
        ref.table, ref.parent, ref.column));
  }
  return target.Query(
      fmt::format("SELECT CAST(c.legacy_id AS TEXT), CAST(p.legacy_id AS TEXT) FROM {0} c JOIN "
                  "{1} p ON p.id = c.{2} ORDER BY 1, 2",
                  ref.table, ref.parent, ref.column));
}

// Runs `statement` on the target with its own command-line client; its exit code.
int Sql(TargetFixture& target, const std::string& statement) {
  if (target.kind() == "sqlite") {
    return RunShell(fmt::format("sqlite3 '{}' \"{}\" 2>&1",
                                target.url().substr(std::string("sqlite:").size()), statement))
        .exit_code;
  }
  return RunShell(
             fmt::format("psql -q -v ON_ERROR_STOP=1 '{}' -c \"{}\" 2>&1", target.url(), statement))
      .exit_code;
}

// The application's constraints: PostgreSQL's by name, type and validation; SQLite's tables'
// and indexes' text.
std::vector<std::vector<std::string>> Constraints(TargetFixture& target) {
  if (target.kind() == "sqlite") {
    return target.Query(
        "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'ferry%' AND name NOT LIKE "
        "'sqlite_autoindex_ferry%' ORDER BY name");
  }
  return target.Query(
      "SELECT conname, contype, convalidated FROM pg_constraint WHERE connamespace = "
      "'public'::regnamespace ORDER BY 1");
}

// The column of `table`'s primary key and its type ("id text"); "" when none.
std::string PrimaryKey(TargetFixture& target, const std::string& table) {
  auto rows =
      target.kind() == "sqlite"
          ? target.Query(fmt::format(
                "SELECT name || ' ' || lower(type) FROM pragma_table_info('{}') WHERE pk "
                "= 1",
                table))
          : target.Query(fmt::format(
                "SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM "
                "pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND "
                "a.attnum = c.conkey[1] WHERE c.contype = 'p' AND c.conrelid = '{}'::regclass",
                table));
  return rows.empty() ? "" : rows[0][0];
}

// The foreign key of `table` to `parent`: "column -> parent.column (type)".
std::string ForeignKey(TargetFixture& target, const std::string& table, const std::string& parent) {
  auto rows =
      target.kind() == "sqlite"
          ? target.Query(fmt::format(
                "SELECT k.\"from\" || ' -> ' || k.\"table\" || '.' || k.\"to\" || ' (' || "
                "lower(c.type) || ')' FROM pragma_foreign_key_list('{0}') k JOIN "
                "pragma_table_info('{0}') c ON c.name = k.\"from\" WHERE k.\"table\" = '{1}'",
                table, parent))
          : target.Query(fmt::format(
                "SELECT a.attname || ' -> ' || p.relname || '.' || pa.attname || ' (' || "
                "format_type(a.atttypid, a.atttypmod) || ')' FROM pg_constraint c JOIN "
                "pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] JOIN "
                "pg_class p ON p.oid = c.confrelid JOIN pg_attribute pa ON pa.attrelid = "
                "c.confrelid AND pa.attnum = c.confkey[1] WHERE c.contype = 'f' AND c.conrelid = "
                "'{}'::regclass AND p.relname = '{}'",
                table, parent));
  return rows.empty() ? "" : rows[0][0];
}

// The first column of index `name` and its type ("user_id text"); "" when no such index.
std::string IndexFirstColumn(TargetFixture& target, const std::string& name) {
  auto rows = target.kind() == "sqlite"
                  ? target.Query(fmt::format(
                        "SELECT i.name || ' ' || lower(c.type) FROM pragma_index_info('{0}') i "
                        "JOIN sqlite_master m ON m.name = '{0}' JOIN pragma_table_info(m.tbl_name) "
                        "c ON c.name = i.name WHERE i.seqno = 0",
                        name))
                  : target.Query(fmt::format(
                        "SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM "
                        "pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_attribute a "
                        "ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] WHERE i.relname = "
                        "'{}'",
                        name));
  return rows.empty() ? "" : rows[0][0];
}

TEST_CASE("rekey switch: killed before its commit, then the same command; rollback undoes it",
          "[e2e][rekey][sqlite][postgresql]") {
  const std::string keys = GENERATE(std::string("int"), std::string("uuid"));
  FERRY_FOR_EACH_TARGET(target) {
    const bool pg = target->kind() == "postgresql";
    TempDir dir;
    std::string plan = LoadAppDatabase(*target, keys, dir);
    // An index of the application's own on a reference: recreated under its name, on the ULIDs.
    REQUIRE(Sql(*target, "CREATE INDEX tasks_by_user ON tasks (user_id, created_at)") == 0);
    auto before = Snapshot(*target);
    auto constraints_before = Constraints(*target);
    const std::string old_key = PrimaryKey(*target, "users");
    CHECK(old_key == (keys == "int" ? (pg ? "id bigint" : "id integer")
                      : pg          ? "id character varying(36)"
                                    : "id varchar(36)"));
    std::map<std::string, std::vector<std::vector<std::string>>> joined;
    for (const AppDbReference& ref : kAppDbReferences) {
      joined[std::string(ref.table) + "." + ref.column] = Pairs(*target, ref, false);
    }
    std::vector<std::string> args = {"rekey",        target->url(),       "--plan",     plan,
                                     "--batch-size", AppDbBatchSize(500), "--strategy", "switch"};

    std::vector<std::string> dry = args;
    dry.push_back("--dry-run");
    CommandResult looked = RunFerry(dry);
    INFO(looked.out << looked.err);
    REQUIRE(looked.exit_code == 0);
    CHECK(looked.out.find("would add tasks.id_ulid") != std::string::npos);
    CHECK(looked.out.find("would switch the keys of ") != std::string::npos);
    CHECK(looked.out.find(pg ? "ALTER TABLE \"users\" RENAME COLUMN \"id\" TO \"legacy_id\";"
                             : "ALTER TABLE \"users\" RENAME TO \"ferry_switch_users\";") !=
          std::string::npos);
    CHECK(Snapshot(*target) == before);

    // Killed inside the switch's transaction: the keys stay the old ones, the ULIDs are filled.
    CommandResult killed = RunFerryToEnd(args, {{"FERRY_FAULT", "rekey.switch_before_commit:1"}});
    INFO(Describe(killed));
    REQUIRE(killed.exit_code != 0);
    CHECK(target->Count("SELECT COUNT(*) FROM users WHERE id_ulid IS NULL") == 0);
    CHECK(PrimaryKey(*target, "users") == old_key);
    if (pg) CHECK(Constraints(*target) == constraints_before);

    CommandResult resumed = RunFerry(args);
    INFO(resumed.out << resumed.err);
    REQUIRE(resumed.exit_code == 3);  // done, with the planted orphans named
    CHECK(resumed.out.find("switched the keys of ") != std::string::npos);
    CHECK(resumed.out.find(" ms: 16 constraints and 1 indexes recreated") != std::string::npos);
    CHECK(resumed.out.find("orphan: dashboards.user_id of row") != std::string::npos);
    CHECK(resumed.out.find("not verified") == std::string::npos);

    // The same constraints (PostgreSQL: under the same names), now on the ULID columns.
    if (pg) CHECK(Constraints(*target) == constraints_before);
    CHECK(PrimaryKey(*target, "users") == "id text");
    CHECK(ForeignKey(*target, "tasks", "tasks") == "parent_id -> tasks.id (text)");
    CHECK(ForeignKey(*target, "orders", "clinics") == "clinic_id -> clinics.id (text)");
    CHECK(IndexFirstColumn(*target, "tasks_by_user") == "user_id text");
    for (const char* table : kAppDbTables) {
      INFO(table);
      CHECK(target->Count(fmt::format("SELECT COUNT(*) FROM {} WHERE length(id) = 26", table)) ==
            target->Count(fmt::format("SELECT COUNT(*) FROM {}", table)));
      CHECK(target->Count(fmt::format("SELECT COUNT(DISTINCT legacy_id) FROM {}", table)) ==
            target->Count(fmt::format("SELECT COUNT(*) FROM {}", table)));
    }
    for (const AppDbReference& ref : kAppDbReferences) {
      std::string name = std::string(ref.table) + "." + ref.column;
      INFO(name);
      CHECK(!joined[name].empty());
      CHECK(Pairs(*target, ref, true) == joined[name]);
    }
    for (const auto& row : target->Query("SELECT created_at, id FROM journal_entries")) {
      std::optional<int64_t> created = ParseRfc3339Millis(row.at(0));
      Result<Ulid> ulid = DecodeUlid(row.at(1));
      REQUIRE(created);
      REQUIRE(ulid.ok());
      CHECK(ulid->time_ms() == static_cast<uint64_t>(*created));
    }
    // A new row by ULID alone: the old key is no longer required.
    CHECK(Sql(*target,
              "INSERT INTO users (id, email, name, created_at) VALUES "
              "('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'e', 'n', '2026-12-07T00:00:00.000Z')") == 0);
    if (pg) {  // and its reference is checked (SQLite enforces foreign keys only when asked)
      CHECK(Sql(*target,
                "INSERT INTO tags (id, user_id, label) VALUES ('01ARZ3NDEKTSV4RRFFQ69G5FAW', "
                "'01ARZ3NDEKTSV4RRFFQ69G5FAX', 'l')") != 0);
    }

    // The same command again: nothing to switch, the orphans named through the legacy columns.
    CommandResult again = RunFerry(args);
    INFO(again.out << again.err);
    CHECK(again.exit_code == 3);
    CHECK(again.out.find("switched already") != std::string::npos);
    CHECK(again.out.find("orphan: dashboards.legacy_user_id of row") != std::string::npos);

    auto switched_by =
        target->Query(fmt::format("SELECT run_id FROM {} WHERE action = 'rekey keys switched'",
                                  target->Bookkeeping("audit_log")));
    REQUIRE(switched_by.size() == 1);
    const std::string run = switched_by[0][0];
    // A row written since the switch: rollback refuses, naming the column.
    CommandResult refused = RunFerry({"rollback", "--target", target->url(), "--run", run});
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("users.id_ulid") != std::string::npos);
    REQUIRE(Sql(*target, "DELETE FROM users WHERE id = '01ARZ3NDEKTSV4RRFFQ69G5FAV'") == 0);

    CommandResult dry_undo =
        RunFerry({"rollback", "--target", target->url(), "--run", run, "--dry-run"});
    INFO(dry_undo.out << dry_undo.err);
    REQUIRE(dry_undo.exit_code == 0);
    CHECK(dry_undo.out.find("would roll back: keys of") != std::string::npos);
    CHECK(dry_undo.out.find("16 columns dropped") != std::string::npos);

    CommandResult undone = RunFerry({"rollback", "--target", target->url(), "--run", run});
    INFO(undone.out << undone.err);
    REQUIRE(undone.exit_code == 0);
    CHECK(Snapshot(*target) == before);
    CHECK(Constraints(*target) == constraints_before);
  }
}

TEST_CASE("rekey switch: a view or a table outside the plan in the way is refused, nothing written",
          "[e2e][rekey][sqlite][postgresql]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    std::string plan = LoadAppDatabase(*target, "int", dir);
    std::vector<std::string> args = {"rekey", target->url(), "--plan",
                                     plan,    "--strategy",  "switch"};
    REQUIRE(Sql(*target, "CREATE VIEW user_names AS SELECT id, name FROM users") == 0);
    std::string fingerprint = target->Fingerprint();
    auto catalog = Snapshot(*target);
    CommandResult run = RunFerry(args);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("view user_names reads table users") != std::string::npos);
    CHECK(target->Fingerprint() == fingerprint);
    CHECK(Snapshot(*target) == catalog);

    REQUIRE(Sql(*target, "DROP VIEW user_names") == 0);
    REQUIRE(
        Sql(*target,
            "CREATE TABLE notes (id bigint PRIMARY KEY, user_id bigint REFERENCES users(id))") ==
        0);
    fingerprint = target->Fingerprint();
    catalog = Snapshot(*target);
    run = RunFerry(args);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("of table notes references users") != std::string::npos);
    CHECK(target->Fingerprint() == fingerprint);
    CHECK(Snapshot(*target) == catalog);
  }
}

}  // namespace
}  // namespace ferry::e2e::rekey_switch_test
