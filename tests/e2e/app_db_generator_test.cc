// End-to-end: tools/make_app_db.py builds the same app database in SQLite and in PostgreSQL
// (issue 18): the same tables and row counts, the same planted orphans per foreign key (kept
// in PostgreSQL by constraints added NOT VALID), and the same rows for the same seed.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::app_db_generator_test {
namespace {

constexpr const char* kTables[] = {"users", "clinics",   "dashboards", "journal_entries",
                                   "tags",  "reminders", "orders",     "tasks"};

std::string Generate(const std::string& keys, const std::string& rest) {
  return fmt::format("python3 '{}/tools/make_app_db.py' --keys {} --rows 1500 {}",
                     SourceDir().string(), keys, rest);
}

TEST_CASE("make_app_db.py: SQLite and PostgreSQL hold the same rows and orphans",
          "[e2e][sqlite][postgresql]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  const std::string keys = GENERATE(std::string("int"), std::string("uuid"));
  TempDir dir;
  std::string db = dir / "app.db";
  REQUIRE(RunShell(Generate(keys, "--out '" + db + "'")).exit_code == 0);
  // The same seed gives the same rows.
  std::string again = dir / "again.db";
  REQUIRE(RunShell(Generate(keys, "--out '" + again + "'")).exit_code == 0);
  PostgresDatabase pg(*server);
  CommandResult loaded = RunShell(Generate(keys, "--dialect postgresql --schema app") +
                                  fmt::format(" | psql -q -v ON_ERROR_STOP=1 '{}' 2>&1", pg.url()));
  INFO(loaded.out);
  REQUIRE(loaded.exit_code == 0);

  pqxx::connection connection(pg.url());
  pqxx::nontransaction txn(connection);
  for (const char* table : kTables) {
    INFO(table);
    std::string count = fmt::format("SELECT count(*) FROM {}", table);
    std::string rows = Query(db, count)[0][0];
    CHECK(txn.exec1(fmt::format("SELECT count(*) FROM app.{}", table))[0].as<std::string>() ==
          rows);
    std::string digest = fmt::format(
        "SELECT group_concat(id, ',') FROM (SELECT id FROM {} "
        "ORDER BY id)",
        table);
    CHECK(Query(again, digest) == Query(db, digest));
  }
  auto orphans = [&](const char* table, const char* column, const char* parent) {
    std::string sql = fmt::format(
        "SELECT count(*) FROM {0} WHERE {1} IS NOT NULL AND {1} NOT IN "
        "(SELECT id FROM {2})",
        table, column, parent);
    std::string in_sqlite = Query(db, sql)[0][0];
    std::string in_pg =
        txn.exec1(fmt::format("SET search_path TO app; {}", sql))[0].as<std::string>();
    CHECK(in_sqlite == "3");
    CHECK(in_pg == "3");
  };
  orphans("dashboards", "user_id", "users");
  orphans("orders", "clinic_id", "clinics");
  orphans("tasks", "parent_id", "tasks");
  CHECK(txn.exec1("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated "
                  "AND connamespace = 'app'::regnamespace")[0]
            .as<int>() == 8);
}

}  // namespace
}  // namespace ferry::e2e::app_db_generator_test
