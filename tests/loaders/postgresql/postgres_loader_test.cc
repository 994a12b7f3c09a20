// PostgresLoader against the test server (FERRY_TEST_DATABASE_URL): counts per policy, the id
// map, FetchRows, dry-run, hostile names, transient errors. Each case has a fresh database.
#include "loaders/postgresql/postgres_loader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "tests/e2e/target_fixture.h"

namespace ferry::postgres_loader_test {
namespace {

using e2e::PostgresDatabase;

TableDef Notes(const std::string& name = "notes") {
  TableDef table;
  table.name = name;
  table.columns = {{"id", ColumnType::kUlid, false},        {"user_id", ColumnType::kText, false},
                   {"legacy_id", ColumnType::kText, false}, {"body", ColumnType::kText, true},
                   {"data", ColumnType::kJson, true},       {"done", ColumnType::kBoolean, true},
                   {"at", ColumnType::kTimestamp, true},    {"score", ColumnType::kReal, true}};
  table.primary_key = {"id"};
  table.unique = {{"user_id", "legacy_id"}};
  return table;
}

std::string UlidFor(int n) {
  std::string ulid = "01ARZ3NDEKTSV4RRFFQ69G5F";
  ulid += static_cast<char>('A' + n / 10);
  ulid += static_cast<char>('0' + n % 10);
  return ulid;
}

Row NoteRow(int n, const std::string& body) {
  return Row{{Cell(UlidFor(n)), Cell(std::string("u1")), Cell(std::to_string(n)), Cell(body),
              Cell(std::string(R"({"k":[1,2]})")), Cell(n % 2 == 0), Cell(int64_t{1700000000123}),
              Cell(0.25)}};
}

// The rows of `ids`; those in `known` as the client sends a known identity's row.
WriteBatch Batch(const TableDef& table, ConflictPolicy policy, const std::vector<int>& ids,
                 const std::string& body, const std::vector<int>& known = {}) {
  WriteBatch batch;
  batch.table = &table;
  batch.entity = "notes";
  batch.user_id = "u1";
  batch.policy = policy;
  for (int n : ids) {
    batch.rows.push_back(NoteRow(n, body));
    bool is_known = std::find(known.begin(), known.end(), n) != known.end();
    batch.identities.push_back({std::to_string(n), UlidFor(n), "hash-" + body, is_known});
  }
  batch.checkpoint = {"unit.json", "notes", static_cast<int64_t>(ids.size())};
  return batch;
}

// A loader on a fresh database, past Check, EnsureSchema and BeginRun.
struct Loaded {
  PostgresDatabase database;
  TableDef table;
  std::unique_ptr<Loader> loader;

  Loaded(const std::string& server, TableDef def) : database(server), table(std::move(def)) {
    loader = MakePostgresLoader({"postgresql", database.url(), ""});
    REQUIRE(loader->Check(false).ok());
    Status schema = loader->EnsureSchema({&table});
    INFO(schema.ToString());
    REQUIRE(schema.ok());
    REQUIRE(loader->BeginRun({"01RUN0000000000000000000AA", "ferry migrate", false, ""}).ok());
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection connection(database.url());
    pqxx::nontransaction txn(connection);
    return txn.exec1(sql)[0].as<int64_t>();
  }
};

}  // namespace

TEST_CASE("PostgresLoader: skip inserts new rows once, then skips them", "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  Result<BatchOutcome> first =
      t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {1, 2, 3}, "a"));
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->inserted == 3);
  CHECK(first->skipped == 0);
  Result<BatchOutcome> again =
      t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {1, 2, 3, 4}, "b", {1, 2, 3}));
  REQUIRE(again.ok());
  CHECK(again->inserted == 1);
  CHECK(again->skipped == 3);
  CHECK(t.Count("SELECT count(*) FROM notes WHERE body = 'a'") == 3);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map WHERE entity = 'notes'") == 4);
  CHECK(t.Count("SELECT position FROM ferry.checkpoints WHERE user_id = 'u1' AND "
                "unit = 'unit.json'") == 4);
}

TEST_CASE("PostgresLoader: overwrite updates the known rows it is given and inserts new ones",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  REQUIRE(t.loader->Write(Batch(t.table, ConflictPolicy::kOverwrite, {1, 2}, "a")).ok());
  // The client decides what is unchanged (agent/run/commit_batch.h): what it sends is written.
  Result<BatchOutcome> changed =
      t.loader->Write(Batch(t.table, ConflictPolicy::kOverwrite, {2, 3}, "b", {2}));
  REQUIRE(changed.ok());
  CHECK(changed->inserted == 1);
  CHECK(changed->updated == 1);
  CHECK(t.Count("SELECT count(*) FROM notes WHERE body = 'b'") == 2);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map WHERE content_hash = 'hash-b'") == 2);
  // A merge batch is written the same way, its updates counted as merged.
  Result<BatchOutcome> merged =
      t.loader->Write(Batch(t.table, ConflictPolicy::kMerge, {3}, "c", {3}));
  REQUIRE(merged.ok());
  CHECK(merged->merged == 1);
  CHECK(merged->updated == 0);
}

TEST_CASE("PostgresLoader: FetchRows and LookupIdentities read back what was written",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  REQUIRE(t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {1, 2}, "x\ty\\z\n")).ok());
  std::vector<std::optional<Row>> rows;
  REQUIRE(
      t.loader->FetchRows(t.table, {Row{{Cell(UlidFor(2))}}, Row{{Cell(UlidFor(9))}}}, &rows).ok());
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].has_value());
  CHECK_FALSE(rows[1].has_value());
  const Row& row = *rows[0];
  CHECK(std::get<std::string>(row.cells[3]) == "x\ty\\z\n");
  CHECK(std::get<std::string>(row.cells[4]) == R"({"k": [1, 2]})");  // jsonb's normal form
  CHECK(std::get<bool>(row.cells[5]) == true);
  CHECK(std::get<int64_t>(row.cells[6]) == 1700000000123);
  CHECK(std::get<double>(row.cells[7]) == 0.25);

  std::vector<std::optional<KnownIdentity>> known;
  REQUIRE(t.loader->LookupIdentities("notes", "u1", {"2", "nope", "1", "2"}, &known).ok());
  REQUIRE(known.size() == 4);
  CHECK(known[0]->ulid == UlidFor(2));
  CHECK_FALSE(known[1].has_value());
  CHECK(known[2]->content_hash == "hash-x\ty\\z\n");
  CHECK(known[3]->ulid == UlidFor(2));
  REQUIRE(t.loader->LookupIdentities("notes", "other-user", {"1"}, &known).ok());
  CHECK_FALSE(known[0].has_value());
}

TEST_CASE("PostgresLoader: hostile table and column names are only names", "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  TableDef table = Notes("n\"otes; DROP TABLE x; --");
  table.columns[3].name = "bo\"dy\t";
  table.columns[5].name = "Done";
  Loaded t(*server, table);
  Result<BatchOutcome> outcome =
      t.loader->Write(Batch(t.table, ConflictPolicy::kOverwrite, {1}, "q"));
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  CHECK(outcome->inserted == 1);
  CHECK(
      t.Count("SELECT count(*) FROM \"n\"\"otes; DROP TABLE x; --\" WHERE \"bo\"\"dy\t\" = 'q'") ==
      1);
}

TEST_CASE("PostgresLoader: a cell the target cannot take fails naming table and legacy id",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  WriteBatch batch = Batch(t.table, ConflictPolicy::kSkip, {1, 2}, "a");
  batch.rows[1].cells[3] = Cell(std::string("nul\0byte", 8));
  Result<BatchOutcome> outcome = t.loader->Write(batch);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().message().find("\"notes\"") != std::string::npos);
  CHECK(outcome.status().message().find("\"2\"") != std::string::npos);
  CHECK(t.Count("SELECT count(*) FROM notes") == 0);  // nothing of the batch

  // Invalid JSON: the server refuses the batch, which leaves nothing behind.
  WriteBatch bad_json = Batch(t.table, ConflictPolicy::kSkip, {3}, "a");
  bad_json.rows[0].cells[4] = Cell(std::string("{not json"));
  Result<BatchOutcome> refused = t.loader->Write(bad_json);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsRejected());
  CHECK(refused.status().message().find("\"notes\"") != std::string::npos);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map") == 0);
  // The loader is still usable.
  CHECK(t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {4}, "a")).ok());
}

TEST_CASE("PostgresLoader: a terminated connection is Unavailable, and the next call reconnects",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  REQUIRE(t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {1}, "a")).ok());
  {
    pqxx::connection admin(t.database.url());
    pqxx::nontransaction txn(admin);
    txn.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  }
  Result<BatchOutcome> lost = t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {2}, "a"));
  REQUIRE_FALSE(lost.ok());
  INFO(lost.status().ToString());
  CHECK(lost.status().IsUnavailable());
  Result<BatchOutcome> retried = t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {2}, "a"));
  INFO(retried.status().ToString());
  REQUIRE(retried.ok());
  CHECK(retried->inserted == 1);
}

TEST_CASE("PostgresLoader: dry-run creates nothing and reads an empty target as empty",
          "[loaders][postgres][dry-run]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  PostgresDatabase database(*server);
  TableDef table = Notes();
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", database.url(), ""});
  REQUIRE(loader->Check(true).ok());
  REQUIRE(loader->EnsureSchema({&table}).ok());
  REQUIRE(loader->BeginRun({"01RUN0000000000000000000AA", "ferry migrate", true, ""}).ok());
  std::vector<std::optional<KnownIdentity>> known;
  REQUIRE(loader->LookupIdentities("notes", "u1", {"1"}, &known).ok());
  CHECK_FALSE(known[0].has_value());
  std::vector<std::optional<Row>> rows;
  REQUIRE(loader->FetchRows(table, {Row{{Cell(UlidFor(1))}}}, &rows).ok());
  CHECK_FALSE(rows[0].has_value());
  CHECK_FALSE(loader->Write(Batch(table, ConflictPolicy::kSkip, {1}, "a")).ok());
  REQUIRE(loader->FinishRun({"completed", 1, 0, 0, 0, 0}).ok());
  pqxx::connection connection(database.url());
  pqxx::nontransaction txn(connection);
  CHECK(txn.exec1("SELECT count(*) FROM pg_namespace WHERE nspname = 'ferry'")[0].as<int>() == 0);
  CHECK(txn.exec1("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                  "c.relnamespace WHERE n.nspname = 'public'")[0]
            .as<int>() == 0);
}

TEST_CASE("PostgresLoader: a changed bookkeeping checksum is refused with a clear message",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  {
    pqxx::connection admin(t.database.url());
    pqxx::nontransaction txn(admin);
    txn.exec0("UPDATE ferry.schema_history SET checksum = 'feedfacefeedface'");
  }
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", t.database.url(), ""});
  for (bool dry_run : {false, true}) {
    Status status = loader->Check(dry_run);
    CHECK(status.IsCorruption());
    CHECK(status.message().find("feedfacefeedface") != std::string::npos);
    CHECK(status.message().find("changed outside ferry") != std::string::npos);
  }
}

TEST_CASE("PostgresLoader: a missing database is a configuration error without the password",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  std::string url = e2e::WithDatabase(*server, "ferry_no_such_db");
  url += (url.find('?') == std::string::npos ? "?" : "&");
  url += "password=Sw0rdfish-77";
  std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", url, ""});
  Status status = loader->Check(false);
  REQUIRE_FALSE(status.ok());
  INFO(status.ToString());
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("ferry_no_such_db") != std::string::npos);
  CHECK(status.message().find("Sw0rdfish-77") == std::string::npos);
}

}  // namespace ferry::postgres_loader_test

namespace ferry::postgres_loader_test {
namespace {

TEST_CASE("PostgresLoader: ProbeUser is fresh only when neither id map nor table holds the user",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Loaded t(*server, Notes());
  const std::vector<UserColumn> tables = {{&t.table, "user_id"}};
  auto probe = [&](const std::string& user) {
    bool fresh = false;
    Status probed = t.loader->ProbeUser(user, {"notes"}, tables, &fresh);
    INFO(probed.ToString());
    REQUIRE(probed.ok());
    return fresh;
  };
  CHECK(probe("u1"));
  REQUIRE(t.loader->Write(Batch(t.table, ConflictPolicy::kSkip, {1, 2}, "x")).ok());
  CHECK_FALSE(probe("u1"));
  CHECK(probe("u2"));  // another user's rows are not this one's
  CHECK(probe("u1'; --"));
  // The id map alone, of the entities asked about: a database's table asks about its own
  // (IdentityContext::entity_fresh) once the tables before it made the user known.
  auto probe_entities = [&](const std::vector<std::string>& entities) {
    bool fresh = false;
    Status probed = t.loader->ProbeUser("u1", entities, {}, &fresh);
    INFO(probed.ToString());
    REQUIRE(probed.ok());
    return fresh;
  };
  CHECK_FALSE(probe_entities({"notes"}));
  CHECK_FALSE(probe_entities({"tags", "notes"}));
  CHECK(probe_entities({"tags"}));
  CHECK(probe_entities({"it's"}));

  pqxx::connection connection(t.database.url());
  pqxx::nontransaction txn(connection);
  txn.exec0("DELETE FROM notes");  // the rows gone, the id map still names them
  CHECK_FALSE(probe("u1"));
  txn.exec0("DELETE FROM ferry.id_map");
  CHECK(probe("u1"));
  // A row written by hand, no id map: what adoption needs to find (issue 13).
  txn.exec0("INSERT INTO notes (id, user_id, legacy_id) VALUES ('" + UlidFor(7) + "', 'u1', '7')");
  CHECK_FALSE(probe("u1"));
  CHECK(probe("u2"));
}

}  // namespace
}  // namespace ferry::postgres_loader_test
