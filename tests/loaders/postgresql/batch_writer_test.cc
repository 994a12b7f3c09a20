// BatchWriter against the test server (FERRY_TEST_DATABASE_URL): new rows COPYed straight into
// the table and the id map, known and adopted rows upserted by key without re-reading the id
// map, kept rows with only their id-map row, and a batch that fails whole when a key is taken
// after all (a row the client did not see, an identity the id map learnt after the lookup, two
// rows of a batch under one key). Also the pure split of a batch into its COPY texts. Each
// case has a fresh database.
#include "loaders/postgresql/batch_writer.h"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "loaders/postgresql/batch_copy_text.h"
#include "loaders/postgresql/postgres_loader.h"
#include "loaders/postgresql/user_lock.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::batch_writer_test {
namespace {

using e2e::PostgresDatabase;
using postgres::BatchWriter;
using postgres::Session;

constexpr const char* kRunId = "01RUN0000000000000000000AA";

TableDef Items() {
  TableDef table;
  table.name = "items";
  table.columns = {{"id", ColumnType::kUlid, false},
                   {"user_id", ColumnType::kText, false},
                   {"legacy_id", ColumnType::kText, false},
                   {"body", ColumnType::kText, true}};
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

// One row per (id, known) pair, all with `body` (content hash "hash-<body>").
WriteBatch Batch(const TableDef& table, ConflictPolicy policy,
                 const std::vector<std::pair<int, bool>>& ids, const std::string& body) {
  WriteBatch batch;
  batch.table = &table;
  batch.entity = "items";
  batch.user_id = "u1";
  batch.policy = policy;
  for (auto [n, known] : ids) {
    batch.rows.push_back(
        Row{{Cell(UlidFor(n)), Cell(std::string("u1")), Cell(std::to_string(n)), Cell(body)}});
    batch.identities.push_back({std::to_string(n), UlidFor(n), "hash-" + body, known});
  }
  batch.checkpoint = {"unit.json", "items", static_cast<int64_t>(ids.size())};
  return batch;
}

// A fresh database with the table and the bookkeeping, and a writer on a session of its own.
struct Target {
  PostgresDatabase database;
  TableDef table = Items();
  std::unique_ptr<Session> session;
  std::unique_ptr<BatchWriter> writer;

  explicit Target(const std::string& server) : database(server) {
    std::unique_ptr<Loader> loader = MakePostgresLoader({"postgresql", database.url(), ""});
    REQUIRE(loader->Check(false).ok());
    REQUIRE(loader->EnsureSchema({&table}).ok());
    REQUIRE(loader->BeginRun({kRunId, "ferry migrate", false, ""}).ok());
    Result<std::unique_ptr<Session>> opened = Session::Open(database.url());
    REQUIRE(opened.ok());
    session = std::move(opened).value();
    REQUIRE(postgres::TagSession(session.get(), kRunId).ok());  // checkpoints carry its token
    writer = std::make_unique<BatchWriter>(session.get());
  }

  Result<BatchOutcome> Write(const WriteBatch& batch) { return writer->Write(batch, kRunId); }

  void Exec(const std::string& sql) {
    pqxx::connection connection(database.url());
    pqxx::nontransaction txn(connection);
    txn.exec0(sql);
  }
  std::string Text(const std::string& sql) {
    pqxx::connection connection(database.url());
    pqxx::nontransaction txn(connection);
    pqxx::result rows = txn.exec(sql);
    return rows.empty() || rows[0][0].is_null() ? "(none)" : rows[0][0].c_str();
  }
  int64_t Count(const std::string& sql) { return std::stoll(Text(sql)); }
};

// A row written by someone else: in the table, unknown to the id map.
void AddForeignRow(Target* t, const std::string& id, const std::string& legacy_id) {
  t->Exec("INSERT INTO items (id, user_id, legacy_id, body) VALUES ('" + id + "', 'u1', '" +
          legacy_id + "', 'foreign')");
}

}  // namespace

TEST_CASE("BatchWriter: new rows go in directly with their id-map rows and the checkpoint",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  Result<BatchOutcome> outcome =
      t.Write(Batch(t.table, ConflictPolicy::kSkip, {{1, false}, {2, false}}, "a"));
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  CHECK(outcome->inserted == 2);
  CHECK(outcome->skipped == 0);
  CHECK(t.Count("SELECT count(*) FROM items WHERE body = 'a'") == 2);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map WHERE user_id = 'u1' AND entity = 'items' "
                "AND content_hash = 'hash-a' AND run_id = '" +
                std::string(kRunId) + "' AND updated_at > now() - interval '1 hour'") == 2);
  CHECK(t.Text("SELECT ulid FROM ferry.id_map WHERE legacy_id = '2'") == UlidFor(2));
  CHECK(t.Count("SELECT position FROM ferry.checkpoints WHERE user_id = 'u1' AND "
                "entity = 'items' AND unit = 'unit.json'") == 2);
}

TEST_CASE("BatchWriter: a new row whose key is taken fails the whole batch, naming the key",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  AddForeignRow(&t, UlidFor(40), "3");  // under (user_id, legacy_id), another id
  for (ConflictPolicy policy : {ConflictPolicy::kSkip, ConflictPolicy::kOverwrite}) {
    Result<BatchOutcome> outcome = t.Write(Batch(t.table, policy, {{1, false}, {3, false}}, "a"));
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.status().IsRejected());
    CHECK(outcome.status().message().find("(user_id, legacy_id)") != std::string::npos);
    CHECK(outcome.status().message().find("adopts it") != std::string::npos);
  }
  CHECK(t.Count("SELECT count(*) FROM items") == 1);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map") == 0);
  CHECK(t.Count("SELECT count(*) FROM ferry.checkpoints") == 0);
}

TEST_CASE(
    "BatchWriter: an adopted row is kept or rewritten under its own key, the id map learns it",
    "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  AddForeignRow(&t, UlidFor(40), "3");
  AddForeignRow(&t, UlidFor(41), "4");
  // As the client sends them: each row under the found row's key, with that row's ULID.
  WriteBatch batch = Batch(t.table, ConflictPolicy::kSkip, {{3, false}, {4, false}}, "a");
  for (size_t i = 0; i < 2; ++i) {
    batch.rows[i].cells[0] = Cell(UlidFor(40 + static_cast<int>(i)));
    batch.identities[i].ulid = UlidFor(40 + static_cast<int>(i));
    batch.identities[i].adopted = true;
  }
  batch.identities[0].keep_row = true;  // skip: kept
  batch.policy = ConflictPolicy::kOverwrite;
  batch.identities[1].keep_row = false;  // overwrite: rewritten
  Result<BatchOutcome> outcome = t.Write(batch);
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  CHECK(outcome->inserted == 0);
  CHECK(outcome->updated == 1);
  CHECK(outcome->skipped == 0);  // a kept row is the client's to count
  CHECK(t.Text("SELECT body FROM items WHERE legacy_id = '3'") == "foreign");
  CHECK(t.Text("SELECT body FROM items WHERE legacy_id = '4'") == "a");
  CHECK(t.Count("SELECT count(*) FROM items") == 2);
  CHECK(t.Text("SELECT string_agg(ulid, ',' ORDER BY legacy_id) FROM ferry.id_map") ==
        UlidFor(40) + "," + UlidFor(41));
}

TEST_CASE("BatchWriter: an identity the id map learnt after the lookup fails the batch",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  REQUIRE(t.Write(Batch(t.table, ConflictPolicy::kSkip, {{1, false}}, "a")).ok());
  // Another run recorded identity 1 between this batch's lookup and its write, and its row is
  // gone since: only ferry.id_map's key collides.
  t.Exec("DELETE FROM items");
  Result<BatchOutcome> outcome =
      t.Write(Batch(t.table, ConflictPolicy::kSkip, {{1, false}, {5, false}}, "z"));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().IsRejected());
  CHECK(t.Count("SELECT count(*) FROM items") == 0);
  CHECK(t.Text("SELECT content_hash FROM ferry.id_map WHERE legacy_id = '1'") == "hash-a");
}

TEST_CASE("BatchWriter: two new rows of one batch under one key fail the batch",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  WriteBatch batch = Batch(t.table, ConflictPolicy::kSkip, {{1, false}, {2, false}}, "a");
  batch.rows[1].cells[0] = Cell(UlidFor(1));  // row 2 takes row 1's primary key
  Result<BatchOutcome> outcome = t.Write(batch);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().IsRejected());
  CHECK(t.Count("SELECT count(*) FROM items") == 0);
}

TEST_CASE("BatchWriter: new and known rows in one batch take the direct path (overwrite)",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  REQUIRE(t.Write(Batch(t.table, ConflictPolicy::kOverwrite, {{1, false}, {2, false}}, "a")).ok());
  Result<BatchOutcome> outcome =
      t.Write(Batch(t.table, ConflictPolicy::kOverwrite, {{2, true}, {3, false}, {1, true}}, "b"));
  INFO(outcome.status().ToString());
  REQUIRE(outcome.ok());
  CHECK(outcome->inserted == 1);
  CHECK(outcome->updated == 2);
  CHECK(outcome->skipped == 0);
  CHECK(t.Count("SELECT count(*) FROM items WHERE body = 'b'") == 3);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map WHERE content_hash = 'hash-b'") == 3);
  CHECK(t.Count("SELECT position FROM ferry.checkpoints WHERE unit = 'unit.json'") == 3);
  // A merge batch: the same statements, its updates counted as merged.
  Result<BatchOutcome> merged =
      t.Write(Batch(t.table, ConflictPolicy::kMerge, {{3, true}, {4, false}}, "c"));
  REQUIRE(merged.ok());
  CHECK(merged->inserted == 1);
  CHECK(merged->merged == 1);
  CHECK(merged->updated == 0);
}

TEST_CASE("BatchWriter: under skip, a known row is inserted again if gone, else kept",
          "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  REQUIRE(t.Write(Batch(t.table, ConflictPolicy::kSkip, {{1, false}, {2, false}}, "a")).ok());
  t.Exec("DELETE FROM items WHERE legacy_id = '2'");
  WriteBatch batch = Batch(t.table, ConflictPolicy::kSkip, {{1, true}, {2, true}}, "b");
  batch.checkpoint.position = 77;
  Result<BatchOutcome> outcome = t.Write(batch);
  REQUIRE(outcome.ok());
  CHECK(outcome->inserted == 1);
  CHECK(outcome->skipped == 1);
  CHECK(t.Text("SELECT body FROM items WHERE legacy_id = '1'") == "a");
  CHECK(t.Text("SELECT id || ' ' || body FROM items WHERE legacy_id = '2'") == UlidFor(2) + " b");
  CHECK(t.Count("SELECT position FROM ferry.checkpoints WHERE unit = 'unit.json'") == 77);
}

TEST_CASE("BatchWriter: a row the target refuses fails the batch", "[loaders][postgres]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  Target t(*server);
  WriteBatch batch = Batch(t.table, ConflictPolicy::kSkip, {{1, false}, {2, false}}, "a");
  batch.rows[1].cells[0] = Cell(std::string("not-a-ulid"));  // breaks the table's CHECK
  Result<BatchOutcome> outcome = t.Write(batch);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.status().IsRejected());
  CHECK(outcome.status().message().find("\"items\"") != std::string::npos);
  CHECK(t.Count("SELECT count(*) FROM items") == 0);
  CHECK(t.Count("SELECT count(*) FROM ferry.id_map") == 0);
  CHECK(t.Count("SELECT count(*) FROM ferry.checkpoints") == 0);
  // 26 characters, one outside Crockford's alphabet (U); and lower case.
  for (const char* bad : {"01ARZ3NDEKTSV4RRFFQ69G5FAU", "01arz3ndektsv4rrffq69g5fa0"}) {
    WriteBatch one = Batch(t.table, ConflictPolicy::kSkip, {{1, false}}, "a");
    one.rows[0].cells[0] = Cell(std::string(bad));
    Result<BatchOutcome> refused = t.Write(one);
    CHECK_FALSE(refused.ok());
    CHECK(refused.status().IsRejected());
  }
  CHECK(t.Count("SELECT count(*) FROM items") == 0);
  // The session is still usable.
  Result<BatchOutcome> next = t.Write(Batch(t.table, ConflictPolicy::kSkip, {{3, false}}, "a"));
  INFO(next.status().ToString());
  CHECK(next.ok());
}

TEST_CASE("BatchDirectCopyText: new rows, their id-map rows and known rows are split apart",
          "[loaders][postgresql]") {
  TableDef table = Items();
  WriteBatch batch = Batch(table, ConflictPolicy::kOverwrite, {{1, false}, {2, true}}, "x\ty");
  Result<postgres::DirectCopyText> text =
      postgres::BatchDirectCopyText(batch, "RUN", "NOW", "public");
  REQUIRE(text.ok());
  CHECK(text->new_rows == 1);
  CHECK(text->staged_rows == 1);
  CHECK(text->table == UlidFor(1) + "\tu1\t1\tx\\ty\n");
  CHECK(text->id_map == "u1\titems\t1\t" + UlidFor(1) + "\thash-x\\ty\tRUN\tNOW\tpublic\n");
  CHECK(text->staged == UlidFor(2) + "\tu1\t2\tx\\ty\t1\t2\t" + UlidFor(2) + "\thash-x\\ty\tf\n");
  // An adopted row is staged too, a kept one marked so.
  batch.identities[0].adopted = true;
  batch.identities[0].keep_row = true;
  text = postgres::BatchDirectCopyText(batch, "RUN", "NOW", "public");
  REQUIRE(text.ok());
  CHECK(text->new_rows == 0);
  CHECK(text->staged_rows == 2);
  CHECK(text->staged.substr(0, text->staged.find('\n')).substr(text->staged.find('\n') - 2) ==
        "\tt");
}

TEST_CASE("BatchDirectCopyText: a NUL in an identity or a malformed batch is refused",
          "[loaders][postgresql]") {
  TableDef table = Items();
  WriteBatch batch = Batch(table, ConflictPolicy::kSkip, {{1, false}}, "a");
  batch.identities[0].content_hash = std::string("h\0h", 3);
  Result<postgres::DirectCopyText> text =
      postgres::BatchDirectCopyText(batch, "RUN", "NOW", "public");
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("\"items\", legacy id \"1\"") != std::string::npos);
  batch = Batch(table, ConflictPolicy::kSkip, {{1, false}}, "a");
  batch.user_id = std::string("u\0", 2);
  CHECK_FALSE(postgres::BatchDirectCopyText(batch, "RUN", "NOW", "public").ok());
  batch = Batch(table, ConflictPolicy::kSkip, {{1, false}}, "a");
  batch.identities.clear();
  CHECK(postgres::BatchDirectCopyText(batch, "RUN", "NOW", "public").status().code() ==
        Status::Code::kInternal);
  batch = Batch(table, ConflictPolicy::kSkip, {{1, false}}, "a");
  batch.rows[0].cells.pop_back();
  CHECK(postgres::BatchDirectCopyText(batch, "RUN", "NOW", "public").status().code() ==
        Status::Code::kInternal);
}

}  // namespace ferry::batch_writer_test
