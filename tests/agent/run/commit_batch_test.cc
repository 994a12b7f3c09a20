#include "agent/run/commit_batch.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

namespace ferry::commit_batch_test {

namespace {

// A target in memory: rows by their key (the first cell), and the batches written.
class FakeLoader final : public Loader {
 public:
  Status Check(bool) override { return Status::OK(); }
  Status BeginRun(const RunInfo&) override { return Status::OK(); }
  Status EnsureSchema(const std::vector<const TableDef*>&) override { return Status::OK(); }
  Status LookupIdentities(const std::string&, const std::string&,
                          const std::vector<std::string>& ids,
                          std::vector<std::optional<KnownIdentity>>* out) override {
    out->assign(ids.size(), std::nullopt);
    return Status::OK();
  }
  Status FetchRows(const TableDef&, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override {
    ++fetches;
    out->assign(keys.size(), std::nullopt);
    for (size_t i = 0; i < keys.size(); ++i) {
      auto found = rows.find(std::get<std::string>(keys[i].cells[0]));
      if (found != rows.end()) (*out)[i] = found->second;
    }
    return fetch_status;
  }
  Result<BatchOutcome> Write(const WriteBatch& batch) override {
    for (const Row& row : batch.rows) {
      if (refused.count(std::get<std::string>(row.cells[0])) != 0) {
        return Status::Rejected("new row violates check constraint \"no_b\"");
      }
    }
    written.push_back(batch);
    BatchOutcome outcome;
    for (const Row& row : batch.rows) {
      std::string key = std::get<std::string>(row.cells[0]);
      if (rows.count(key)) {
        ++(batch.policy == ConflictPolicy::kMerge ? outcome.merged : outcome.updated);
      } else {
        ++outcome.inserted;
      }
      rows[key] = row;
    }
    return outcome;
  }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }

  std::map<std::string, Row> rows;
  std::set<std::string> refused;  // keys whose batch the database refuses (a CHECK, a trigger)
  std::vector<WriteBatch> written;
  int fetches = 0;
  Status fetch_status = Status::OK();
};

// tasks: id (ulid, key), title (text), meta (json), updated_at (timestamp from updatedAt).
EntityMapping Tasks() {
  EntityMapping entity;
  entity.name = "tasks";
  entity.updated_field = "updatedAt";
  entity.table.name = "tasks";
  entity.table.columns = {{"id", ColumnType::kUlid, false},
                          {"title", ColumnType::kText, true},
                          {"meta", ColumnType::kJson, true},
                          {"updated_at", ColumnType::kTimestamp, true}};
  entity.table.primary_key = {"id"};
  const char* fields[] = {"", "title", "meta", "updatedAt"};
  for (size_t i = 0; i < entity.table.columns.size(); ++i) {
    ColumnMapping column;
    column.def = entity.table.columns[i];
    column.source = i == 0 ? ColumnSource::kUlid : ColumnSource::kField;
    column.field = fields[i];
    entity.columns.push_back(column);
  }
  return entity;
}

Row TaskRow(const std::string& ulid, Cell title, Cell meta, int64_t updated) {
  return Row{{ulid, std::move(title), std::move(meta), updated}};
}

AssignedRecord Record(const std::string& legacy_id, Row row,
                      std::optional<std::string> known_hash) {
  AssignedRecord record;
  record.identity = {legacy_id, std::get<std::string>(row.cells[0]), "hash-" + legacy_id};
  if (known_hash) record.known = KnownIdentity{record.identity.ulid, *known_hash};
  record.row = std::move(row);
  record.where.key = "tasks";
  return record;
}

struct Harness {
  EntityMapping entity = Tasks();
  std::string user = "u";
  FakeLoader loader;
  EntityCounts counts;
  std::vector<Reject> rejects;

  bool continue_on_error = false;

  Status Commit(std::vector<AssignedRecord> records, ConflictPolicy policy, bool dry_run = false) {
    CommitContext context;
    context.entity = &entity;
    context.user_id = &user;
    context.policy = policy;
    context.loader = &loader;
    context.dry_run = dry_run;
    context.continue_on_error = continue_on_error;
    context.counts = &counts;
    context.reject = [this](const AssignedRecord&, Reject reject) {
      rejects.push_back(std::move(reject));
      return Status::OK();
    };
    return CommitBatch(context, std::move(records), Checkpoint{"u.json", "tasks", 3});
  }
};

}  // namespace

TEST_CASE("UpdatedColumn: the column read from updated_field, else -1", "[agent][merge]") {
  EntityMapping entity = Tasks();
  CHECK(UpdatedColumn(entity) == 3);
  entity.updated_field = "modifiedAt";
  CHECK(UpdatedColumn(entity) == -1);
  entity.updated_field.clear();
  CHECK(UpdatedColumn(entity) == -1);
}

TEST_CASE("CommitBatch: merge reads the known rows back, merges, writes only what changed",
          "[agent][merge]") {
  Harness h;
  h.loader.rows["A"] = TaskRow("A", std::string("old"), std::string(R"({"x":1,"y":1})"), 100);
  h.loader.rows["B"] = TaskRow("B", std::string("newer"), Cell(), 500);
  h.loader.rows["D"] = TaskRow("D", std::string("same"), Cell(), 300);
  std::vector<AssignedRecord> records;
  records.push_back(
      Record("a", TaskRow("A", std::string("new"), std::string(R"({"y":2})"), 200), "old-hash"));
  records.push_back(Record("b", TaskRow("B", std::string("older"), Cell(), 300), "old-hash"));
  records.push_back(Record("c", TaskRow("C", std::string("fresh"), Cell(), 300), std::nullopt));
  records.push_back(Record("d", TaskRow("D", std::string("same"), Cell(), 300), "hash-d"));
  REQUIRE(h.Commit(std::move(records), ConflictPolicy::kMerge).ok());

  CHECK(h.loader.fetches == 1);
  REQUIRE(h.loader.written.size() == 1);
  const WriteBatch& batch = h.loader.written[0];
  CHECK(batch.policy == ConflictPolicy::kMerge);
  REQUIRE(batch.rows.size() == 2);  // a merged, c inserted; b and d unchanged
  CHECK(batch.identities[0].legacy_id == "a");
  CHECK(batch.identities[0].content_hash == "hash-a");  // the incoming record's hash
  CHECK(std::get<std::string>(batch.rows[0].cells[2]) == R"({"x":1,"y":2})");
  CHECK(batch.identities[1].legacy_id == "c");
  CHECK(batch.checkpoint.position == 3);
  CHECK(h.counts.merged == 1);
  CHECK(h.counts.inserted == 1);
  CHECK(h.counts.unchanged == 2);
  CHECK(h.counts.updated == 0);
  CHECK(h.counts.Conflicts() == 3);
  REQUIRE(h.counts.examples_conflicts.size() == 3);
  CHECK(h.counts.examples_conflicts[0].legacy_id == "a");
  CHECK(h.counts.examples_conflicts[0].outcome == "merged");
  CHECK(h.counts.examples_conflicts[0].fields ==
        std::vector<std::string>{"title", "meta.x", "meta.y", "updated_at"});
  CHECK(h.counts.examples_conflicts[1].outcome == "unchanged");
  CHECK(h.counts.examples_conflicts[1].fields == std::vector<std::string>{"title", "updated_at"});
  CHECK(h.counts.examples_conflicts[2].legacy_id == "d");
  CHECK(h.counts.examples_conflicts[2].fields.empty());
}

TEST_CASE("CommitBatch: a merge dry run reads but writes nothing, and counts the same",
          "[agent][merge][dry-run]") {
  Harness h;
  h.loader.rows["A"] = TaskRow("A", std::string("old"), Cell(), 100);
  std::vector<AssignedRecord> records;
  records.push_back(Record("a", TaskRow("A", std::string("new"), Cell(), 200), "x"));
  records.push_back(Record("c", TaskRow("C", std::string("fresh"), Cell(), 300), std::nullopt));
  REQUIRE(h.Commit(std::move(records), ConflictPolicy::kMerge, /*dry_run=*/true).ok());
  CHECK(h.loader.fetches == 1);
  CHECK(h.loader.written.empty());
  CHECK(h.counts.merged == 1);
  CHECK(h.counts.inserted == 1);
  CHECK(h.counts.examples_inserted == std::vector<std::string>{"c"});
}

TEST_CASE("CommitBatch: a known identity whose row is gone is inserted again", "[agent][merge]") {
  Harness h;
  std::vector<AssignedRecord> records;
  records.push_back(Record("a", TaskRow("A", std::string("new"), Cell(), 200), "x"));
  REQUIRE(h.Commit(std::move(records), ConflictPolicy::kMerge).ok());
  CHECK(h.counts.inserted == 1);
  CHECK(h.loader.rows.count("A") == 1);
}

TEST_CASE("CommitBatch: a target row holding broken JSON is a reject, the rest still loads",
          "[agent][merge][hostile]") {
  Harness h;
  h.loader.rows["A"] = TaskRow("A", std::string("old"), std::string("{not json"), 100);
  std::vector<AssignedRecord> records;
  records.push_back(Record("a", TaskRow("A", std::string("new"), std::string("{}"), 200), "x"));
  records.push_back(Record("c", TaskRow("C", std::string("fresh"), Cell(), 300), std::nullopt));
  REQUIRE(h.Commit(std::move(records), ConflictPolicy::kMerge).ok());
  REQUIRE(h.rejects.size() == 1);
  CHECK(h.rejects[0].entity == "tasks");
  CHECK(h.rejects[0].where.key == "tasks");
  CHECK(h.rejects[0].reason.find("cannot merge with the row in the target") != std::string::npos);
  CHECK(h.rejects[0].reason.find("\"meta\"") != std::string::npos);
  CHECK(h.counts.merged == 0);
  CHECK(h.counts.inserted == 1);
  CHECK(std::get<std::string>(h.loader.rows["A"].cells[1]) == "old");
}

TEST_CASE("CommitBatch: a batch the database refuses is split to reject the one record",
          "[agent][rejects]") {
  Harness h;
  h.continue_on_error = true;
  h.loader.refused = {"B"};
  std::vector<AssignedRecord> records;
  int64_t position = 0;
  for (const char* key : {"A", "B", "C"}) {
    records.push_back(Record(std::string(1, static_cast<char>(key[0] + 32)),
                             TaskRow(key, std::string("t"), Cell(), 100), std::nullopt));
    records.back().position = ++position;
  }
  REQUIRE(h.Commit(std::move(records), ConflictPolicy::kSkip).ok());
  REQUIRE(h.rejects.size() == 1);
  CHECK(h.rejects[0].reason.find("the target refused the row") != std::string::npos);
  CHECK(h.rejects[0].reason.find("no_b") != std::string::npos);
  CHECK(h.counts.inserted == 2);
  CHECK(h.loader.rows.count("A") == 1);
  CHECK(h.loader.rows.count("B") == 0);
  CHECK(h.loader.rows.count("C") == 1);
  // Each part that committed carries its own last record's position (a resume goes on after
  // what committed); the last keeps the batch's.
  REQUIRE(h.loader.written.size() == 2);
  CHECK(h.loader.written[0].checkpoint.position == 1);
  CHECK(h.loader.written[1].checkpoint.position == 3);
}

TEST_CASE("CommitBatch: without --continue-on-error a refused batch is not split, nothing written",
          "[agent][rejects]") {
  Harness h;
  h.loader.refused = {"B"};
  std::vector<AssignedRecord> records;
  for (const char* key : {"A", "B", "C"}) {
    records.push_back(Record(std::string(1, static_cast<char>(key[0] + 32)),
                             TaskRow(key, std::string("t"), Cell(), 100), std::nullopt));
  }
  Status status = h.Commit(std::move(records), ConflictPolicy::kSkip);
  CHECK(status.IsRejected());
  CHECK(status.message().find("no_b") != std::string::npos);
  CHECK(h.loader.rows.empty());
  CHECK(h.loader.written.empty());
}

TEST_CASE("CommitBatch: a failing read of the target fails the batch before any write",
          "[agent][merge][hostile]") {
  Harness h;
  h.loader.fetch_status = Status::Unavailable("database is locked");
  std::vector<AssignedRecord> records;
  records.push_back(Record("a", TaskRow("A", std::string("new"), Cell(), 200), "x"));
  Status status = h.Commit(std::move(records), ConflictPolicy::kMerge);
  CHECK(status.IsUnavailable());
  CHECK(h.loader.written.empty());
}

TEST_CASE("CommitBatch: each policy decides against the target's row, never the id map's hash",
          "[agent][merge]") {
  // a: the id map's hash differs, the row is equal; b: the same hash, the row edited by hand;
  // c: the same hash, the row deleted.
  auto records = [] {
    std::vector<AssignedRecord> list;
    list.push_back(Record("a", TaskRow("A", std::string("t"), Cell(), 1), "x"));
    list.push_back(Record("b", TaskRow("B", std::string("t"), Cell(), 1), "hash-b"));
    list.push_back(Record("c", TaskRow("C", std::string("t"), Cell(), 1), "hash-c"));
    return list;
  };
  auto target = [](FakeLoader* loader) {
    loader->rows["A"] = TaskRow("A", std::string("t"), Cell(), 1);
    loader->rows["B"] = TaskRow("B", std::string("edited by hand"), Cell(), 1);
  };
  Harness skip;
  target(&skip.loader);
  REQUIRE(skip.Commit(records(), ConflictPolicy::kSkip).ok());
  CHECK(skip.counts.skipped == 2);
  CHECK(skip.counts.inserted == 1);
  CHECK(skip.loader.fetches == 1);
  CHECK(skip.counts.examples_conflicts.size() == 2);
  CHECK(std::get<std::string>(skip.loader.rows["B"].cells[1]) == "edited by hand");

  Harness overwrite;
  target(&overwrite.loader);
  REQUIRE(overwrite.Commit(records(), ConflictPolicy::kOverwrite).ok());
  CHECK(overwrite.counts.unchanged == 1);
  CHECK(overwrite.counts.updated == 1);
  CHECK(overwrite.counts.inserted == 1);
  CHECK(overwrite.counts.skipped == 0);
  CHECK(overwrite.loader.fetches == 1);
  CHECK(overwrite.counts.examples_updated == std::vector<std::string>{"b"});
  CHECK(std::get<std::string>(overwrite.loader.rows["B"].cells[1]) == "t");
  REQUIRE(overwrite.loader.written.size() == 1);
  CHECK(overwrite.loader.written[0].rows.size() == 2);  // a is not rewritten
}

TEST_CASE("EntityCounts: conflict examples are kept up to kMaxExamples per outcome",
          "[agent][merge]") {
  EntityCounts counts;
  for (int i = 0; i < 10; ++i) {
    counts.AddConflictExample({std::to_string(i), i % 2 ? "merged" : "unchanged", {}, {}, 0, {}});
  }
  CHECK(counts.examples_conflicts.size() == 2 * kMaxExamples);
}

}  // namespace ferry::commit_batch_test
