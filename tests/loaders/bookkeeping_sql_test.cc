// BookkeepingSql (loaders/bookkeeping_sql.h): what SQL written outside a loader (ferry rekey)
// puts into the bookkeeping is what the loader reads back: an audit row, an id-map row, under
// the names the loader created. SQLite here; PostgreSQL's are run by the rekey e2e tests
// (tests/e2e/rekey_add_test.cc, rekey_validate_test.cc), which read them back the same way.
#include "loaders/bookkeeping_sql.h"

#include <catch2/catch.hpp>

#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"

namespace ferry::bookkeeping_sql_test {
namespace {

using sqlite_testing::ExecSql;
using sqlite_testing::QueryInt;
using sqlite_testing::SqliteSpec;
using sqlite_testing::TempDir;

TEST_CASE("BookkeepingSql: SQLite's audit and id-map rows are the loader's",
          "[loaders][sqlite][bookkeeping]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  REQUIRE(loader->Check(false).ok());
  REQUIRE(
      loader->BeginRun({"RUN1", "rekey sqlite:t.db --plan p --strategy hybrid", false, ""}).ok());
  Result<const BookkeepingSql*> sql = BookkeepingSqlOf("sqlite");
  REQUIRE(sql.ok());
  const BookkeepingSql& bookkeeping = **sql;

  const std::string detail = "users\tid_ulid\nit's";  // a quote and a tab survive
  ExecSql(path, bookkeeping.AuditInsert("RUN1", "rekey column added", detail));
  std::vector<std::string> details;
  REQUIRE(loader->ListAuditDetails("RUN1", "rekey column added", &details).ok());
  CHECK(details == std::vector<std::string>{detail});

  ExecSql(path, bookkeeping.IdMapInsertHead() +
                    "'users', '(rekey)', '7', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '', 'RUN1', " +
                    bookkeeping.NowExpression());
  std::vector<std::optional<KnownIdentity>> known;
  REQUIRE(loader->LookupIdentities("users", "(rekey)", {"7"}, &known).ok());
  REQUIRE(known.size() == 1);
  REQUIRE(known[0].has_value());
  CHECK(known[0]->ulid == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  CHECK(known[0]->run_id == "RUN1");
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM " + bookkeeping.IdMapTable() + " AS m WHERE " +
                           bookkeeping.IdMapScope("m")) == 1);
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM " + bookkeeping.RunsTable() +
                           " WHERE run_id = 'RUN1'") == 1);
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM " + bookkeeping.AuditTable() +
                           " WHERE run_id = 'RUN1'") >= 1);
}

// SQLite's audit log is keyed by (at, run_id, action), at in milliseconds: a rekey switching
// two groups of tables records each under the same run and action, and two in one millisecond
// collided on that key (the second group's transaction failed). 40 entries in one transaction
// (no commit, no fsync between them) take well under 40 ms, so at least two of them fall in
// one millisecond.
TEST_CASE("BookkeepingSql: SQLite audit rows of one run and action in one millisecond all land",
          "[loaders][sqlite][bookkeeping]") {
  TempDir dir;
  std::string path = dir.File("t.db");
  std::unique_ptr<Loader> loader = MakeSqliteLoader(SqliteSpec(path));
  REQUIRE(loader->Check(false).ok());
  REQUIRE(
      loader->BeginRun({"RUN1", "rekey sqlite:t.db --plan p --strategy switch", false, ""}).ok());
  Result<const BookkeepingSql*> sql = BookkeepingSqlOf("sqlite");
  REQUIRE(sql.ok());
  std::string statements = "BEGIN;\n";
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    expected.push_back("group " + std::to_string(i));
    statements += (*sql)->AuditInsert("RUN1", "rekey keys switched", expected.back()) + ";\n";
  }
  ExecSql(path, statements + "COMMIT;");
  std::vector<std::string> details;
  REQUIRE(loader->ListAuditDetails("RUN1", "rekey keys switched", &details).ok());
  CHECK(details == expected);  // all of them, in the order written
  // Each at is still the loader's form of a time.
  CHECK(QueryInt(path, "SELECT COUNT(*) FROM " + (*sql)->AuditTable() +
                           " WHERE at NOT GLOB "
                           "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-"
                           "9][0-9].[0-9][0-9][0-9]Z'") == 0);
}

TEST_CASE("BookkeepingSql: PostgreSQL's names are its loader's; another kind has none",
          "[loaders][bookkeeping]") {
  Result<const BookkeepingSql*> sql = BookkeepingSqlOf("postgresql");
  REQUIRE(sql.ok());
  CHECK((*sql)->IdMapTable() == "ferry.id_map");
  CHECK((*sql)->RunsTable() == "ferry.runs");
  CHECK((*sql)->AuditTable() == "ferry.audit_log");
  CHECK((*sql)->IdMapScope("m") == "m.target_schema = current_schema()");
  CHECK((*sql)->AuditInsert("R", "a", "it's").find("E'it''s'") != std::string::npos);
  CHECK(BookkeepingSqlOf("mysql").status().IsInvalidArgument());
}

}  // namespace
}  // namespace ferry::bookkeeping_sql_test
