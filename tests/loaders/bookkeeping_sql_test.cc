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
