// Checks the throwaway PostgreSQL 15 that tools/test.sh starts (tools/test_postgres.sh): the
// server is reachable through FERRY_TEST_DATABASE_URL, is version 15 and stores UTF-8, so a
// postgres loader test that fails points at the loader, not at the test setup.
// Without FERRY_TEST_DATABASE_URL these tests fail under CI (CI=true) and are skipped elsewhere.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

namespace postgres_connection_test {

namespace {

bool RunningUnderCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string_view value(ci);
  return !value.empty() && value != "0" && value != "false";
}

// The test server's URL, or nullopt after failing (under CI) or warning (elsewhere) that the
// caller must return.
std::optional<std::string> TestDatabaseUrl() {
  const char* url = std::getenv("FERRY_TEST_DATABASE_URL");
  if (url != nullptr && *url != '\0') return std::string(url);
  if (RunningUnderCi()) {
    FAIL("FERRY_TEST_DATABASE_URL is not set under CI: run the suite through tools/test.sh");
  }
  WARN(
      "FERRY_TEST_DATABASE_URL is not set: skipping (tools/test.sh or tools/test_postgres.sh "
      "sets it)");
  return std::nullopt;
}

// `url` with its database name (the path after the authority, before '?') replaced by `name`.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const std::string scheme = "postgresql://";
  REQUIRE(url.rfind(scheme, 0) == 0);
  const std::size_t slash = url.find('/', scheme.size());
  REQUIRE(slash != std::string::npos);
  const std::size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

TEST_CASE("Test PostgreSQL: SELECT version() reports PostgreSQL 15", "[loaders][postgres]") {
  const std::optional<std::string> url = TestDatabaseUrl();
  if (!url) return;
  pqxx::connection connection(*url);
  pqxx::work transaction(connection);
  const std::string version = transaction.exec1("SELECT version()")[0].as<std::string>();
  INFO("version(): " << version);
  CHECK(version.rfind("PostgreSQL 15", 0) == 0);
  CHECK(transaction.exec1("SELECT current_database()")[0].as<std::string>() == "ferry_test");
}

TEST_CASE("Test PostgreSQL: text round-trips as UTF-8, including characters outside the BMP",
          "[loaders][postgres]") {
  const std::optional<std::string> url = TestDatabaseUrl();
  if (!url) return;
  pqxx::connection connection(*url);
  pqxx::work transaction(connection);
  CHECK(transaction.exec1("SHOW server_encoding")[0].as<std::string>() == "UTF8");
  transaction.exec0("CREATE TEMP TABLE roundtrip (value text)");
  const std::string text =
      "Gr\xC3\xBC\xC3\x9F"
      "e \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x9A\xA2";
  transaction.exec0("INSERT INTO roundtrip VALUES (" + transaction.quote(text) + ")");
  const pqxx::row row = transaction.exec1("SELECT value, char_length(value) FROM roundtrip");
  CHECK(row[0].as<std::string>() == text);
  CHECK(row[1].as<int>() == 12);  // code points, not bytes: the server did not split the emoji
}

TEST_CASE("Test PostgreSQL: a database that does not exist is a broken_connection naming it",
          "[loaders][postgres]") {
  const std::optional<std::string> url = TestDatabaseUrl();
  if (!url) return;
  const std::string missing = WithDatabase(*url, "ferry_no_such_database");
  REQUIRE(missing != *url);
  try {
    pqxx::connection connection(missing);
    FAIL("connecting to " << missing << " succeeded");
  } catch (const pqxx::broken_connection& error) {
    CHECK_THAT(error.what(), Catch::Matchers::Contains("ferry_no_such_database"));
  }
}

TEST_CASE("Test PostgreSQL: invalid SQL is a syntax_error and the connection stays usable",
          "[loaders][postgres]") {
  const std::optional<std::string> url = TestDatabaseUrl();
  if (!url) return;
  pqxx::connection connection(*url);
  {
    pqxx::work transaction(connection);
    CHECK_THROWS_AS(transaction.exec("SELEC 1"), pqxx::syntax_error);
  }
  pqxx::work transaction(connection);
  CHECK(transaction.exec1("SELECT 1 + 1")[0].as<int>() == 2);
}

}  // namespace postgres_connection_test
