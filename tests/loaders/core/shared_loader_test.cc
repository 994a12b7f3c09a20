#include "loaders/core/shared_loader.h"

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loaders/core/first_pre_images.h"
#include "loaders/core/pre_image.h"
#include "tests/loaders/core/recording_backend.h"

namespace ferry::shared_loader_test {
namespace {

using namespace ::ferry::shared_loader_testing;

TEST_CASE("SharedLoader: every step before Check is refused without touching the target",
          "[loaders][core][hostile]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = Tasks();
  CHECK(IsInternal(loader->BeginRun(RunInfo{"R1", "", false, ""}),
                   "Fake loader: BeginRun before a successful Check"));
  CHECK(IsInternal(loader->EnsureSchema({&table}), "EnsureSchema before a successful Check"));
  std::vector<std::optional<KnownIdentity>> known;
  CHECK(IsInternal(loader->LookupIdentities("tasks", "u", {"1"}, &known),
                   "LookupIdentities before a successful Check"));
  CHECK(known.size() == 1);
  WriteBatch batch;
  batch.table = &table;
  CHECK(IsInternal(loader->Write(batch).status(), "Write in a dry-run or before"));
  std::vector<RunRecord> runs;
  CHECK(IsInternal(loader->ListRuns(0, &runs), "ListRuns before a successful Check"));
  std::vector<SchemaMigration> applied;
  CHECK(IsInternal(loader->SchemaUp({&table}, &applied), "without a successful Check(false)"));
  CHECK(calls.names.empty());
}

TEST_CASE("SharedLoader: a dry run writes nothing and takes no lock", "[loaders][core][dry-run]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = Tasks();
  REQUIRE(loader->Check(true).ok());
  REQUIRE(loader->BeginRun(RunInfo{"R1", "", false, ""}).ok());
  REQUIRE(loader->EnsureSchema({&table}).ok());
  REQUIRE(loader->LockUser("u").ok());
  WriteBatch batch;
  batch.table = &table;
  CHECK(IsInternal(loader->Write(batch).status(), "Write in a dry-run"));
  CHECK(loader->FinishRun(RunTotals()).ok());
  std::vector<LockHolder> cleared;
  CHECK(IsInternal(loader->ForceUnlock("", false, &cleared), "ForceUnlock after a dry-run Check"));
  std::vector<SchemaMigration> applied;
  CHECK(IsInternal(loader->SchemaUp({&table}, &applied), "without a successful Check(false)"));
  // A dry run's lock check reads the locks too (a rekey's excludes the user's): reads only.
  CHECK(calls.names == std::vector<std::string>{"Open", "BeginRun(dry)", "EnsureSchema",
                                                "CheckLock", "ListLocks"});
}

TEST_CASE("SharedLoader: Write only to a table EnsureSchema saw, and only after BeginRun",
          "[loaders][core][hostile]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = Tasks();
  TableDef other = Tasks();
  other.name = "other";
  REQUIRE(loader->Check(false).ok());
  WriteBatch batch;
  batch.table = &table;
  CHECK(IsInternal(loader->Write(batch).status(), "Write before BeginRun"));
  REQUIRE(loader->BeginRun(RunInfo{"R1", "", false, ""}).ok());
  CHECK(IsInternal(loader->BeginRun(RunInfo{"", "", false, ""}), "BeginRun without a run id"));
  REQUIRE(loader->EnsureSchema({&table}).ok());
  batch.table = &other;
  CHECK(IsInternal(loader->Write(batch).status(), "a table not passed to EnsureSchema"));
  batch.table = &table;
  CHECK(loader->Write(batch).ok());
  CHECK(calls.count("Write") == 1);
}

TEST_CASE("SharedLoader: a null or refused table stops EnsureSchema before the target",
          "[loaders][core][hostile]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef bad = Tasks();
  bad.name = "bad";
  REQUIRE(loader->Check(false).ok());
  CHECK(IsInternal(loader->EnsureSchema({nullptr}), "EnsureSchema was given a null table"));
  CHECK(loader->EnsureSchema({&bad}).IsInvalidArgument());
  CHECK(calls.count("EnsureSchema") == 0);
}

TEST_CASE("SharedLoader: empty lookups and fetches never reach the target", "[loaders][core]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = Tasks();
  REQUIRE(loader->Check(false).ok());
  std::vector<std::optional<KnownIdentity>> known;
  CHECK(loader->LookupIdentities("tasks", "u", {}, &known).ok());
  std::vector<std::optional<Row>> rows;
  CHECK(loader->FetchRows(table, {}, &rows).ok());
  CHECK(calls.count("LookupIdentities") == 0);
  CHECK(calls.count("FetchRows") == 0);
}

TEST_CASE("SharedLoader: a lock is taken once, kept while its release fails, released at the end",
          "[loaders][core][locks]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  CHECK(IsInternal(loader->LockUser("u"), "LockUser before BeginRun"));
  REQUIRE(loader->Check(false).ok());
  REQUIRE(loader->BeginRun(RunInfo{"R1", "", false, ""}).ok());
  REQUIRE(loader->LockUser("u").ok());
  REQUIRE(loader->LockUser("u").ok());
  CHECK(calls.count("LockUser") == 1);
  calls.fail_unlock = true;
  CHECK(loader->UnlockUser("u").IsUnavailable());
  calls.fail_unlock = false;
  CHECK(loader->UnlockUser("u").ok());  // retried: still held, so released now
  CHECK(loader->UnlockUser("u").ok());  // no longer held: nothing to do
  CHECK(calls.count("UnlockUser") == 2);
  REQUIRE(loader->LockUser("v").ok());
  loader.reset();
  CHECK(calls.count("ReleaseLock") == 1);
}

TEST_CASE("SharedLoader: dangling references are one query on the backend's tables",
          "[loaders][core][validate]") {
  Calls calls;
  calls.rows = {{"K1", "P9", "2"}, {"K2", std::nullopt, "2"}};
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef child{"tasks", {{"id", ColumnType::kText, false}, {"env"}}, {"id"}, {}};
  TableDef parent{"envs", {{"id", ColumnType::kText, false}}, {"id"}, {}};
  std::vector<DanglingReference> found;
  int64_t total = 0;
  CHECK(IsInternal(loader->FindDanglingReferences(child, "env", parent, "id", 3, &found, &total),
                   "FindDanglingReferences before a successful Check"));
  REQUIRE(loader->Check(true).ok());
  CHECK(IsInternal(loader->FindDanglingReferences(child, "nope", parent, "id", 3, &found, &total),
                   "names no column"));
  REQUIRE(loader->FindDanglingReferences(child, "env", parent, "id", 3, &found, &total).ok());
  CHECK(total == 2);
  REQUIRE(found.size() == 2);
  CHECK(found[0].key == "K1");
  CHECK(found[0].value == "P9");
  CHECK(found[1].value == "NULL");
  CHECK(calls.names.back() ==
        "SELECT CAST(c.\"id\" AS TEXT), CAST(c.\"env\" AS TEXT), count(*) OVER () FROM "
        "s.\"tasks\" c WHERE c.\"env\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM s.\"envs\" p "
        "WHERE p.\"id\" = c.\"env\") ORDER BY c.\"id\" LIMIT 3");
}

}  // namespace
}  // namespace ferry::shared_loader_test
