#include "tests/e2e/target_fixture.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <string_view>

namespace ferry::e2e {

namespace {

constexpr pqxx::oid kBoolOid = 16;
constexpr pqxx::oid kTimestamptzOid = 1184;

bool RunningUnderCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  std::string_view value(ci);
  return !value.empty() && value != "0" && value != "false";
}

// "2020-01-01 00:00:00.5+00" (TimeZone UTC) -> "2020-01-01T00:00:00.500Z", as SQLite holds it.
std::string Rfc3339(const std::string& text) {
  std::string out = text;
  if (out.size() >= 3 && out.compare(out.size() - 3, 3, "+00") == 0) out.resize(out.size() - 3);
  if (out.size() > 10 && out[10] == ' ') out[10] = 'T';
  size_t dot = out.find('.', 11);
  std::string fraction = dot == std::string::npos ? "" : out.substr(dot + 1);
  if (dot != std::string::npos) out.resize(dot);
  fraction.resize(3, '0');
  return out + "." + fraction + "Z";
}

class SqliteTarget final : public TargetFixture {
 public:
  SqliteTarget() : path_(dir_ / "target.db") {}
  std::string kind() const override { return "sqlite"; }
  std::string url() const override { return "sqlite:" + path_; }
  std::vector<std::vector<std::string>> Query(const std::string& sql) override {
    return e2e::Query(path_, sql);
  }
  std::string Bookkeeping(const std::string& table) const override { return "ferry_" + table; }
  bool Touched() override {
    return std::filesystem::exists(path_) || std::filesystem::exists(path_ + "-wal") ||
           std::filesystem::exists(path_ + "-journal");
  }
  std::string Fingerprint() override { return FileSha256(path_); }

 private:
  TempDir dir_;
  std::string path_;
};

class PostgresTarget final : public TargetFixture {
 public:
  explicit PostgresTarget(const std::string& server_url) : database_(server_url) {}
  std::string kind() const override { return "postgresql"; }
  std::string url() const override { return database_.url(); }
  std::vector<std::vector<std::string>> Query(const std::string& sql) override {
    pqxx::connection connection(database_.url());
    pqxx::nontransaction txn(connection);
    txn.exec0("SET TimeZone TO 'UTC'");
    pqxx::result result;
    try {
      result = txn.exec(sql);
    } catch (const std::exception& error) {
      FAIL(sql << ": " << error.what());
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : result) {
      std::vector<std::string> values;
      for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
        if (row[i].is_null()) {
          values.emplace_back("NULL");
        } else if (result.column_type(i) == kBoolOid) {
          values.emplace_back(row[i].as<bool>() ? "1" : "0");
        } else if (result.column_type(i) == kTimestamptzOid) {
          values.push_back(Rfc3339(row[i].c_str()));
        } else {
          values.emplace_back(row[i].c_str(), row[i].size());
        }
      }
      rows.push_back(std::move(values));
    }
    return rows;
  }
  std::string Bookkeeping(const std::string& table) const override { return "ferry." + table; }
  bool Touched() override {
    return Count(
               "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry') + "
               "(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE n.nspname = 'public')") > 0;
  }
  std::string Fingerprint() override {
    std::string digest;
    for (const auto& table :
         Query("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
               "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
               "n.nspname IN ('public', 'ferry') ORDER BY 1")) {
      digest += table[0] + ":" +
                Query(
                    "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    "FROM " +
                    table[0] + " t")[0][0] +
                "\n";
    }
    return digest;
  }

 private:
  PostgresDatabase database_;
};

}  // namespace

std::optional<std::string> PostgresTestUrl() {
  const char* url = std::getenv("FERRY_TEST_DATABASE_URL");
  if (url != nullptr && *url != '\0') return std::string(url);
  if (RunningUnderCi()) {
    FAIL("FERRY_TEST_DATABASE_URL is not set under CI: run the suite through tools/test.sh");
  }
  WARN(
      "FERRY_TEST_DATABASE_URL is not set: skipping the PostgreSQL target (tools/test.sh or "
      "tools/test_postgres.sh sets it)");
  return std::nullopt;
}

std::string WithDatabase(const std::string& url, const std::string& name) {
  const std::string scheme = "postgresql://";
  REQUIRE(url.rfind(scheme, 0) == 0);
  const std::size_t slash = url.find('/', scheme.size());
  REQUIRE(slash != std::string::npos);
  const std::size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

PostgresDatabase::PostgresDatabase(const std::string& server_url) : server_url_(server_url) {
  std::random_device random;
  name_ = "ferry_t_" + std::to_string(random()) + std::to_string(random() % 100000);
  url_ = WithDatabase(server_url_, name_);
  pqxx::connection connection(server_url_);
  pqxx::nontransaction txn(connection);
  txn.exec0("CREATE DATABASE " + txn.quote_name(name_) + " TEMPLATE template0 ENCODING 'UTF8'");
}

PostgresDatabase::~PostgresDatabase() {
  try {
    pqxx::connection connection(server_url_);
    pqxx::nontransaction txn(connection);
    txn.exec0("DROP DATABASE IF EXISTS " + txn.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& error) {
    WARN("dropping test database " << name_ << ": " << error.what());
  }
}

const std::vector<std::string>& TargetKindNames() {
  static const std::vector<std::string> kinds = {"sqlite", "postgresql"};
  return kinds;
}

std::unique_ptr<TargetFixture> MakeTarget(const std::string& kind) {
  if (kind == "sqlite") return std::make_unique<SqliteTarget>();
  if (kind == "postgresql") {
    std::optional<std::string> url = PostgresTestUrl();
    if (!url) return nullptr;
    return std::make_unique<PostgresTarget>(*url);
  }
  FAIL("unknown target kind " << kind);
  return nullptr;
}

std::unique_ptr<TargetFixture> MakePostgresTarget(const std::string& server_url) {
  return std::make_unique<PostgresTarget>(server_url);
}

}  // namespace ferry::e2e
