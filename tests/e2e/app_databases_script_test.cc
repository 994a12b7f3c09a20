// End-to-end, issue 16 "Done when": tools/app_databases.sh builds an application database in
// each shape the issue tried, on both targets, and `ferry schema status` (bundled mapping)
// gives each the verdict docs/schema-migrations.md states, writing nothing.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::app_databases_script_test {

namespace {

struct Verdict {
  const char* shape;
  int exit_code;
  const char* says;  // in stdout (exit 0) or stderr (a refusal)
};

const std::vector<Verdict> kVerdicts = {
    {"compatible", 0, "adopt table"},
    {"legacy_id_integer", 2, "\"legacy_id\""},
    {"created_at_other_type", 2, "\"created_at\""},
    {"no_unique_key", 0, "add unique key (\"user_id\", \"legacy_id\")"},
    {"duplicate_rows", 2, "in 2 rows"},
    {"extra_not_null", 2, "\"owner\""},
    {"extra_defaulted", 0, "adopt table"},
    {"id_other_type", 2, "\"id\""},
    {"foreign_key", 0, "adopt table"},
    {"rows_under_key", 0, "adopt table"},
    {"with_index", 0, "adopt table"},
};

std::string Script() { return (SourceDir() / "tools" / "app_databases.sh").string(); }

void CheckVerdict(const Verdict& verdict, const std::string& url) {
  CommandResult status = RunFerry({"schema", "status", "--target", url});
  INFO(verdict.shape << ": exit " << status.exit_code << "\n" << status.out << status.err);
  CHECK(status.exit_code == verdict.exit_code);
  const std::string& where = verdict.exit_code == 0 ? status.out : status.err;
  CHECK(where.find(verdict.says) != std::string::npos);
}

}  // namespace

TEST_CASE("tools/app_databases.sh: every shape on SQLite, each with its verdict",
          "[e2e][sqlite][adopt][issue16]") {
  TempDir dir;
  CommandResult made = RunShell(Script() + " sqlite " + (dir / "apps"));
  REQUIRE(made.exit_code == 0);
  CommandResult shapes = RunShell(Script() + " shapes");
  REQUIRE(shapes.exit_code == 0);
  for (const Verdict& verdict : kVerdicts) {
    CHECK(shapes.out.find(std::string(verdict.shape) + "\t") != std::string::npos);
    CheckVerdict(verdict, "sqlite:" + (dir / "apps") + "/" + verdict.shape + ".db");
  }
  // The rollback-journal database stays so after ferry read it.
  const std::string journal = dir / "apps/rollback_journal.db";
  CheckVerdict({"rollback_journal", 0, "adopt table"}, "sqlite:" + journal);
  CHECK(Query(journal, "PRAGMA journal_mode") == std::vector<std::vector<std::string>>{{"delete"}});
}

TEST_CASE("tools/app_databases.sh: every shape on PostgreSQL, each with its verdict",
          "[e2e][postgres][adopt][issue16]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  std::unique_ptr<TargetFixture> target = MakePostgresTarget(*server);
  CommandResult made = RunShell(Script() + " postgresql '" + target->url() + "'");
  REQUIRE(made.exit_code == 0);
  for (const Verdict& verdict : kVerdicts) {
    const std::string url = target->url();
    CheckVerdict(verdict, url + (url.find('?') == std::string::npos ? "?" : "&") +
                              "options=-csearch_path%3Dapp_" + verdict.shape);
  }
  CHECK(target->Count("SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'") == 0);
}

}  // namespace ferry::e2e::app_databases_script_test
