// Two schemas of one PostgreSQL database (issue 13, item 1): ferry's bookkeeping (id map,
// checkpoints, locks) is the target schema's, so loading the same users into a second schema
// loads everything there, and `ferry schema down` on one schema leaves the other's id map.
// SQLite has one schema (main): nothing of this applies there.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "tests/e2e/ferry_process.h"
#include "tests/e2e/table_snapshot.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::target_schemas_test {

namespace {

// `url` with the libpq parameter `param` ("name=value", URL-encoded) added.
std::string WithParameter(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

std::vector<std::string> Args(const TempDir& dir, const std::string& url) {
  return {"migrate", dir / "dumps", "--user-id-from", "filename",  "--target",
          url,       "--progress",  "none",           "--rejects", dir / "rejects"};
}

int64_t Count(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction txn(connection);
  return txn.exec1(sql)[0].as<int64_t>();
}

void Exec(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction txn(connection);
  txn.exec0(sql);
}

}  // namespace

TEST_CASE("target schemas: a second schema loads in full and its schema down keeps the first's",
          "[e2e][postgres][bookkeeping]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  TempDir dir;
  TaskappWorkloadOptions options;
  options.users = 2;
  options.tasks = 20;
  options.environments = 3;
  TaskappWorkload workload = WriteTaskappWorkload(dir.path() / "dumps", options);
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  const std::string url = target->url();
  const std::string s2 = WithParameter(url, "options=-csearch_path%3Ds2");
  Exec(url, "CREATE SCHEMA s2");

  CommandResult first = RunFerryToEnd(Args(dir, url));
  INFO(Describe(first));
  REQUIRE(first.exit_code == 0);
  REQUIRE(Count(url, "SELECT count(*) FROM public.tasks") == workload.tasks);
  int64_t public_identities = Count(url, "SELECT count(*) FROM ferry.id_map");
  REQUIRE(public_identities > 0);

  // The same users into s2: every record is new there.
  CommandResult second = RunFerryToEnd(Args(dir, s2));
  INFO(Describe(second));
  REQUIRE(second.exit_code == 0);
  CHECK(Count(url, "SELECT count(*) FROM s2.tasks") == workload.tasks);
  CHECK(Count(url, "SELECT count(*) FROM s2.environments") == workload.environments);
  CHECK(Count(url,
              "SELECT count(*) FROM s2.tasks t WHERE t.environment_id IS NOT NULL AND NOT "
              "EXISTS (SELECT 1 FROM s2.environments e WHERE e.id = t.environment_id)") == 0);
  CHECK(Count(url, "SELECT count(*) FROM ferry.id_map") == 2 * public_identities);

  // Reverting every table of s2 clears s2's bookkeeping only.
  for (int i = 0; i < 10; ++i) {
    if (RunFerryToEnd({"schema", "down", "--target", s2, "--force"}).exit_code != 0) break;
  }
  CHECK(Count(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 's2'") == 0);
  CHECK(Count(url, "SELECT count(*) FROM ferry.id_map") == public_identities);
  CHECK(Count(url, "SELECT count(*) FROM ferry.checkpoints WHERE target_schema = 's2'") == 0);

  // public is as the first run left it: a rerun there finds everything known.
  CommandResult again = RunFerryToEnd(Args(dir, url));
  INFO(Describe(again));
  REQUIRE(again.exit_code == 0);
  TableSnapshot snapshot = TakeSnapshot(*target);
  INFO(SnapshotDifferences(snapshot, snapshot));
  CHECK(snapshot.problems.empty());
  CHECK(snapshot.Rows("tasks") == static_cast<size_t>(workload.tasks));
}

}  // namespace ferry::e2e::target_schemas_test
