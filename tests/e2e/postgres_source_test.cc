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

#include "tests/e2e/app_db.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::postgres_source_test {
namespace {

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
    for (const AppDbReference& ref : kAppDbReferences) {
      INFO(ref.table << "." << ref.column);
      auto old_pairs = Pairs(PgQuery(source_db.url(), LoadedPairs(ref)));
      auto new_pairs = Pairs(target->Query(MigratedPairs(ref)));
      CHECK(old_pairs.size() > 10);
      CHECK(new_pairs == old_pairs);
      CHECK_THAT(rejected, Catch::Contains(fmt::format(R"("pointer":"/{}")", ref.column)));
    }
  }
  CHECK(SourceDigest(source_db.url()) == before);
}

TEST_CASE("inspect postgresql:// --propose-mapping: a plan rekey takes as it is",
          "[e2e][inspect][rekey][postgresql][pgsource]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  PostgresDatabase db(*server);
  CommandResult made = RunShell(
      fmt::format("python3 '{}/tools/make_app_db.py' --keys int --rows 600 --dialect postgresql | "
                  "psql -q -v ON_ERROR_STOP=1 '{}' 2>&1",
                  SourceDir().string(), db.url()));
  INFO(made.out);
  REQUIRE(made.exit_code == 0);
  TempDir dir;
  std::string plan = dir / "plan.yaml";
  CommandResult proposed = RunFerry({"inspect", db.url(), "--propose-mapping", plan});
  INFO(proposed.out << proposed.err);
  REQUIRE(proposed.exit_code == 0);
  std::string yaml = ReadFile(plan);
  // Every foreign key is in the plan, the self-reference too: none is left to the catalog.
  for (const AppDbReference& ref : kAppDbReferences) {
    CHECK_THAT(yaml, Catch::Contains(fmt::format("\"{}\": {{type: ulid, from: \"{}\", references: "
                                                 "\"{}\"",
                                                 ref.column, ref.column, ref.parent)));
  }
  CommandResult rekeyed = RunFerry({"rekey", db.url(), "--plan", plan, "--strategy", "add"});
  INFO(rekeyed.out << rekeyed.err);
  REQUIRE(rekeyed.exit_code == 3);  // done, with the planted orphans named
  CHECK(rekeyed.out.find("not in the plan") == std::string::npos);
  CHECK(rekeyed.out.find("not verified") == std::string::npos);
  for (const AppDbReference& ref : kAppDbReferences) {
    INFO(ref.table << "." << ref.column);
    auto count = [&db](const std::string& sql) { return std::stoll(PgQuery(db.url(), sql)[0][0]); };
    int64_t old_join = count(fmt::format("SELECT count(*) FROM {0} c JOIN {1} p ON p.id = c.{2}",
                                         ref.table, ref.parent, ref.column));
    CHECK(old_join > 0);
    CHECK(count(fmt::format("SELECT count(*) FROM {0} c JOIN {1} p ON p.id = c.{2} AND "
                            "p.id_ulid = c.{2}_ulid",
                            ref.table, ref.parent, ref.column)) == old_join);
  }
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
}  // namespace ferry::e2e::postgres_source_test
