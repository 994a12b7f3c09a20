// Tests of extractors/postgresql/pg_extractor.h against the shared test PostgreSQL (skipped
// without one): table names compared as PostgreSQL does (a quoted "Users" is not users),
// bytea as lowercase hex, the form of the SQLite source's BLOB, and a schema other than
// public chosen by the URL (issue 18).
#include "extractors/postgresql/pg_extractor.h"

#include <catch2/catch.hpp>
#include <map>
#include <pqxx/pqxx>

#include "tests/e2e/target_fixture.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::pg_extractor_test {
namespace {

using testing::Drain;
using testing::Drained;

void Exec(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::work txn(connection);
  txn.exec(sql);
  txn.commit();
}

// Each table's rows, by the entry's key.
std::map<std::string, std::vector<std::string>> RowsByTable(const std::string& url) {
  Drained out = Drain(MakePostgresExtractor(SourceSpec{"postgresql", url, {}}));
  INFO(out.open.ToString() << " " << out.status.ToString());
  REQUIRE(out.open.ok());
  REQUIRE(out.status.ok());
  CHECK(out.reports.empty());
  std::map<std::string, std::vector<std::string>> rows;
  for (const Entry& entry : out.entries) rows[entry.key].push_back(entry.value);
  return rows;
}

TEST_CASE("PostgresExtractor: \"Users\" and users are two tables, each read as itself",
          "[extractors][postgresql][pgsource]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  e2e::PostgresDatabase db(*server);
  Exec(db.url(),
       "CREATE TABLE \"Users\" (id integer PRIMARY KEY, upper_name text);"
       "CREATE TABLE users (id integer PRIMARY KEY, lower_name text);"
       "CREATE TABLE posts (id integer PRIMARY KEY, author integer REFERENCES \"Users\"(id));"
       "INSERT INTO \"Users\" VALUES (1, 'U');"
       "INSERT INTO users VALUES (1, 'l'), (2, 'm');"
       "INSERT INTO posts VALUES (7, 1);");
  auto rows = RowsByTable(db.url());
  REQUIRE(rows.size() == 3);
  CHECK(rows["Users"] == std::vector<std::string>{R"({"id":1,"upper_name":"U"})"});
  CHECK(rows["users"] ==
        std::vector<std::string>{R"({"id":1,"lower_name":"l"})", R"({"id":2,"lower_name":"m"})"});
  CHECK(rows["posts"] == std::vector<std::string>{R"({"id":7,"author":1})"});
}

TEST_CASE("PostgresExtractor: bytea as lowercase hex, other columns as row_to_json gives them",
          "[extractors][postgresql][pgsource]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  e2e::PostgresDatabase db(*server);
  Exec(db.url(),
       "CREATE TABLE files (\"Key\" integer PRIMARY KEY, body bytea, note text, empty bytea);"
       "INSERT INTO files VALUES (2, '\\x00ff10'::bytea, '\\x41', ''::bytea), "
       "(1, NULL, NULL, NULL);");
  auto rows = RowsByTable(db.url());
  // In key order; the text '\x41' stays text, a bytea loses its "\x".
  CHECK(rows["files"] ==
        std::vector<std::string>{R"({"Key":1,"body":null,"note":null,"empty":null})",
                                 R"({"Key":2,"body":"00ff10","note":"\\x41","empty":""})"});
}

TEST_CASE("PostgresExtractor: another schema through the URL's search_path, alone",
          "[extractors][postgresql][pgsource]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  e2e::PostgresDatabase db(*server);
  Exec(db.url(),
       "CREATE TABLE public.notes (id integer PRIMARY KEY);"
       "CREATE SCHEMA app; CREATE TABLE app.\"Orders\" (id integer PRIMARY KEY, total integer);"
       "INSERT INTO app.\"Orders\" VALUES (1, 30);");
  std::string url = db.url() + (db.url().find('?') == std::string::npos ? "?" : "&") +
                    "options=-csearch_path%3Dapp";
  auto rows = RowsByTable(url);
  REQUIRE(rows.size() == 1);  // public.notes is not read
  CHECK(rows["Orders"] == std::vector<std::string>{R"({"id":1,"total":30})"});
}

}  // namespace
}  // namespace ferry::pg_extractor_test
