// End-to-end: a PostgreSQL database as the source (issue 18): the app database of
// tools/make_app_db.py loaded into a fresh database, read by a role that may only SELECT, and
// moved into each target with the mapping proposed from its catalog. Every foreign key points
// to the same parent as before, the planted orphans are rejected, the source is unchanged, and
// `inspect` reads the same catalog.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <random>
#include <set>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e {
namespace {

struct Reference {
  const char* table;
  const char* column;
  const char* parent;
};

// The foreign keys of the generated database but the self-reference tasks.parent_id.
constexpr Reference kReferences[] = {
    {"dashboards", "user_id", "users"}, {"journal_entries", "user_id", "users"},
    {"tags", "user_id", "users"},       {"reminders", "user_id", "users"},
    {"orders", "user_id", "users"},     {"orders", "clinic_id", "clinics"},
    {"tasks", "user_id", "users"},
};

// A login role that may only read the tables it is granted, dropped at the end: declared
// before the database it reads, so that the database (which holds its grants) goes first.
class ReaderRole {
 public:
  explicit ReaderRole(const std::string& server_url)
      : server_url_(server_url), name_("ferry_reader_" + std::to_string(std::random_device()())) {
    Exec(server_url_, "CREATE ROLE " + name_ + " LOGIN");
  }
  ~ReaderRole() {
    try {
      Exec(server_url_, "DROP ROLE IF EXISTS " + name_);
    } catch (const std::exception& error) {
      WARN("dropping role " << name_ << ": " << error.what());
    }
  }
  // SELECT on every table of `url`'s public schema, and nothing else.
  void GrantSelect(const std::string& url) const {
    Exec(url, "GRANT USAGE ON SCHEMA public TO " + name_);
    Exec(url, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + name_);
  }
  // `url` connecting as this role instead of its own user.
  std::string As(const std::string& url) const {
    size_t user = url.find("user=");
    if (user == std::string::npos)
      return url + (url.find('?') == url.npos ? "?" : "&") + "user=" + name_;
    size_t end = url.find('&', user);
    return url.substr(0, user) + "user=" + name_ + (end == url.npos ? "" : url.substr(end));
  }

  static void Exec(const std::string& url, const std::string& sql) {
    pqxx::connection connection(url);
    pqxx::nontransaction txn(connection);
    txn.exec0(sql);
  }

 private:
  std::string server_url_;
  std::string name_;
};

std::vector<std::vector<std::string>> PgQuery(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction txn(connection);
  std::vector<std::vector<std::string>> rows;
  for (const pqxx::row& row : txn.exec(sql)) {
    rows.emplace_back();
    for (const pqxx::field& field : row)
      rows.back().push_back(field.is_null() ? "NULL" : field.c_str());
  }
  return rows;
}

// A digest of every row of every table of the source (to show nothing was written).
std::string SourceDigest(const std::string& url) {
  std::string digest;
  for (const char* table : {"users", "clinics", "dashboards", "journal_entries", "tags",
                            "reminders", "orders", "tasks"}) {
    digest += PgQuery(url, fmt::format("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, "
                                       "'|' ORDER BY t.id)), '') FROM {} t",
                                       table))[0][0] +
              "\n";
  }
  return digest;
}

std::multiset<std::pair<std::string, std::string>> Pairs(
    const std::vector<std::vector<std::string>>& rows) {
  std::multiset<std::pair<std::string, std::string>> pairs;
  for (const auto& row : rows) pairs.emplace(row.at(0), row.at(1));
  return pairs;
}

// SQL true for a row of `table` none of whose references is an orphan (the loadable rows).
std::string Loadable(const std::string& table) {
  std::string clause = "true";
  for (const Reference& ref : kReferences) {
    if (table == ref.table) {
      clause += fmt::format(" AND (c.{0} IS NULL OR c.{0} IN (SELECT id FROM {1}))", ref.column,
                            ref.parent);
    }
  }
  return clause;
}

TEST_CASE("migrate postgresql://: read-only, foreign keys rewritten to the same parents",
          "[e2e][migrate][postgresql][pgsource]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  const std::string keys = GENERATE(std::string("int"), std::string("uuid"));
  ReaderRole role(*server);
  PostgresDatabase source_db(*server);
  CommandResult made = RunShell(
      fmt::format("python3 '{}/tools/make_app_db.py' --keys {} --rows 2000 --dialect postgresql | "
                  "psql -q -v ON_ERROR_STOP=1 '{}' 2>&1",
                  SourceDir().string(), keys, source_db.url()));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  role.GrantSelect(source_db.url());
  std::string source = role.As(source_db.url());
  std::string before = SourceDigest(source_db.url());

  TempDir dir;
  CommandResult inspected = RunFerry({"inspect", source, "--json"});
  INFO(inspected.out << inspected.err);
  REQUIRE(inspected.exit_code == 0);
  CHECK_THAT(inspected.out, Catch::Contains(R"("tasks")") && Catch::Contains("created_at"));

  FERRY_FOR_EACH_TARGET(target) {
    std::string rejects = dir / (target->kind() + "-rejects.ndjson");
    CommandResult run = RunFerry({"migrate", source, "--user-id", "app", "--target", target->url(),
                                  "--continue-on-error", "--max-reject-rate", "0.5", "--rejects",
                                  rejects, "--progress", "none"});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 3);  // done, with the orphans rejected
    std::string rejected = ReadFile(rejects);
    for (const Reference& ref : kReferences) {
      INFO(ref.table << "." << ref.column);
      auto old_pairs = Pairs(PgQuery(
          source_db.url(), fmt::format("SELECT c.id::text, p.id::text FROM {0} c JOIN {2} p "
                                       "ON p.id = c.{1} WHERE {3}",
                                       ref.table, ref.column, ref.parent, Loadable(ref.table))));
      auto new_pairs = Pairs(target->Query(
          fmt::format("SELECT c.legacy_id, p.legacy_id FROM {0} c JOIN {2} p ON p.id = c.{1}",
                      ref.table, ref.column, ref.parent)));
      CHECK(old_pairs.size() > 10);
      CHECK(new_pairs == old_pairs);
      CHECK_THAT(rejected, Catch::Contains(fmt::format(R"("pointer":"/{}")", ref.column)));
    }
  }
  CHECK(SourceDigest(source_db.url()) == before);
}

TEST_CASE("inspect postgresql://: an unreachable source is named a source, its password hidden",
          "[e2e][inspect][postgresql][pgsource]") {
  // Port 1 on the loopback: refused at once, no server needed.
  CommandResult run = RunFerry({"inspect", "postgresql://app:s3cret@127.0.0.1:1/legacy"});
  INFO(run.out << run.err);
  CHECK(run.exit_code != 0);
  CHECK_THAT(run.err,
             Catch::Contains("PostgreSQL source postgresql://app:****@127.0.0.1:1/legacy"));
  CHECK(run.err.find("s3cret") == std::string::npos);
  CHECK(run.out.find("s3cret") == std::string::npos);
}

}  // namespace
}  // namespace ferry::e2e
