#include "agent/run/written_keys.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "agent/run/existing_rows.h"

namespace ferry::written_keys_test {

namespace {

// A target in memory: rows by whichever columns the TableDef's primary_key names, and the
// probe for a user's rows.
class ProbedLoader final : public Loader {
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
  Status FetchRows(const TableDef& table, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override {
    reads.push_back(keys.size());
    out->assign(keys.size(), std::nullopt);
    for (size_t i = 0; i < keys.size(); ++i) {
      for (const Row& row : rows) {
        bool match = true;
        for (size_t k = 0; k < table.primary_key.size(); ++k) {
          size_t column = static_cast<size_t>(table.ColumnIndex(table.primary_key[k]));
          match = match && row.cells[column] == keys[i].cells[k];
        }
        if (match) (*out)[i] = row;
      }
    }
    return Status::OK();
  }
  Status HoldsNoRowWith(const TableDef& table, const std::string& column, const Cell& value,
                        bool* none) override {
    ++probes;
    size_t at = static_cast<size_t>(table.ColumnIndex(column));
    *none = std::none_of(rows.begin(), rows.end(),
                         [&](const Row& row) { return row.cells[at] == value; });
    return Status::OK();
  }
  Result<BatchOutcome> Write(const WriteBatch&) override { return BatchOutcome(); }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }

  std::vector<Row> rows;
  std::vector<size_t> reads;  // the keys of each FetchRows
  int probes = 0;
};

ColumnMapping Column(const std::string& name, ColumnType type, ColumnSource source) {
  ColumnMapping column;
  column.def = ColumnDef{name, type, false};
  column.source = source;
  return column;
}

// environments: id (ulid, key), user_id ($user), legacy_id; unique (user_id, legacy_id).
EntityMapping Environments() {
  EntityMapping entity;
  entity.name = "environments";
  entity.table.name = "environments";
  entity.columns = {Column("id", ColumnType::kUlid, ColumnSource::kUlid),
                    Column("user_id", ColumnType::kText, ColumnSource::kUser),
                    Column("legacy_id", ColumnType::kText, ColumnSource::kLegacyId)};
  for (const ColumnMapping& column : entity.columns) entity.table.columns.push_back(column.def);
  entity.table.primary_key = {"id"};
  entity.table.unique = {{"user_id", "legacy_id"}};
  entity.ulid_column = 0;
  return entity;
}

AssignedRecord Record(const std::string& ulid, const std::string& user, const std::string& id) {
  AssignedRecord record;
  record.identity.legacy_id = id;
  record.identity.ulid = ulid;
  record.row = Row{{ulid, user, id}};
  return record;
}

}  // namespace

TEST_CASE("WrittenKeys: a first load reads back only keys this unit wrote before",
          "[agent][conflicts]") {
  ProbedLoader loader;
  loader.rows = {Row{{std::string("OTHER"), std::string("someone else"), std::string("e1")}}};
  EntityMapping entity = Environments();
  WrittenKeys written;
  std::vector<ExistingRow> found;

  std::vector<AssignedRecord> first = {Record("A", "u", "e1"), Record("B", "u", "e2")};
  REQUIRE(FindExistingRows(entity, &loader, false, first, &written, &found).ok());
  CHECK(loader.probes == 1);
  CHECK(written.fresh());
  CHECK(loader.reads.empty());  // no row of "u": nothing to read
  CHECK_FALSE(found[0].row.has_value());
  written.Remember(entity, first);
  loader.rows.push_back(first[0].row);  // the batch is written
  loader.rows.push_back(first[1].row);

  // A later batch: "e2" again (its row is this unit's) is read and found; "e3" is not read.
  std::vector<AssignedRecord> second = {Record("C", "u", "e2"), Record("D", "u", "e3")};
  REQUIRE(FindExistingRows(entity, &loader, false, second, &written, &found).ok());
  CHECK(loader.probes == 1);  // once per unit and entity
  REQUIRE(loader.reads == std::vector<size_t>{1});
  REQUIRE(found[0].row.has_value());
  CHECK(found[0].adopted);
  CHECK(std::get<std::string>(found[0].row->cells[0]) == "B");
  CHECK_FALSE(found[1].row.has_value());
}

TEST_CASE("WrittenKeys: a table that holds rows of the user is read as before",
          "[agent][conflicts]") {
  ProbedLoader loader;
  loader.rows = {Row{{std::string("BYHAND"), std::string("u"), std::string("e1")}}};
  EntityMapping entity = Environments();
  WrittenKeys written;
  std::vector<ExistingRow> found;
  std::vector<AssignedRecord> records = {Record("A", "u", "e1"), Record("B", "u", "e2")};
  REQUIRE(FindExistingRows(entity, &loader, false, records, &written, &found).ok());
  CHECK_FALSE(written.fresh());
  REQUIRE(loader.reads == std::vector<size_t>{2});
  REQUIRE(found[0].row.has_value());  // adopted, as issue 13 requires
  CHECK(found[0].adopted);
  CHECK_FALSE(found[1].row.has_value());
}

TEST_CASE("WrittenKeys: without a key that leads with the user's column, no probe",
          "[agent][conflicts]") {
  ProbedLoader loader;
  EntityMapping entity = Environments();
  entity.table.unique = {{"legacy_id", "user_id"}};
  WrittenKeys written;
  std::vector<ExistingRow> found;
  std::vector<AssignedRecord> records = {Record("A", "u", "e1")};
  REQUIRE(FindExistingRows(entity, &loader, false, records, &written, &found).ok());
  CHECK(loader.probes == 0);
  CHECK(loader.reads == std::vector<size_t>{1});
}

TEST_CASE("WrittenKeys: past its bound every later key is read back, none taken as unheld",
          "[agent][conflicts]") {
  // The bound keeps a unit of millions of records from growing the table without end
  // (issue 15 item 8); what it costs is the reads the probe spared, never a wrong "unheld".
  ProbedLoader loader;
  EntityMapping entity = Environments();
  WrittenKeys written(/*max_keys=*/3);
  std::vector<ExistingRow> found;
  std::vector<AssignedRecord> first = {Record("A", "u", "e1"), Record("B", "u", "e2")};
  REQUIRE(FindExistingRows(entity, &loader, false, first, &written, &found).ok());
  REQUIRE(written.fresh());
  CHECK(loader.reads.empty());
  written.Remember(entity, first);
  CHECK(written.fresh());  // 2 keys of the bound's 3
  loader.rows.push_back(first[0].row);
  loader.rows.push_back(first[1].row);

  std::vector<AssignedRecord> second = {Record("C", "u", "e3"), Record("D", "u", "e4")};
  REQUIRE(FindExistingRows(entity, &loader, false, second, &written, &found).ok());
  CHECK(loader.reads.empty());  // still within the bound: e3 and e4 are not read
  written.Remember(entity, second);
  CHECK_FALSE(written.fresh());  // 4 keys would pass it: the table is let go
  loader.rows.push_back(second[0].row);

  // e3 (written) and e5 (never) are both read now; e3 is found as before.
  std::vector<AssignedRecord> third = {Record("E", "u", "e3"), Record("F", "u", "e5")};
  REQUIRE(FindExistingRows(entity, &loader, false, third, &written, &found).ok());
  REQUIRE(loader.reads == std::vector<size_t>{2});
  REQUIRE(found[0].row.has_value());
  CHECK(std::get<std::string>(found[0].row->cells[0]) == "C");
  CHECK_FALSE(found[1].row.has_value());
  CHECK(loader.probes == 1);
}

TEST_CASE("WrittenKeys: a user the unit's probe found fresh is not probed again",
          "[agent][conflicts]") {
  ProbedLoader loader;
  EntityMapping entity = Environments();
  WrittenKeys written;
  written.PresumeFresh();  // Loader::ProbeUser answered for the whole user
  std::vector<ExistingRow> found;
  std::vector<AssignedRecord> records = {Record("A", "u", "e1"), Record("B", "u", "e2")};
  REQUIRE(FindExistingRows(entity, &loader, false, records, &written, &found).ok());
  CHECK(loader.probes == 0);
  CHECK(written.fresh());
  CHECK(loader.reads.empty());
  written.Remember(entity, records);
  loader.rows.push_back(records[1].row);

  // Its own earlier keys are still read and found.
  std::vector<AssignedRecord> second = {Record("C", "u", "e2")};
  REQUIRE(FindExistingRows(entity, &loader, false, second, &written, &found).ok());
  CHECK(loader.reads == std::vector<size_t>{1});
  CHECK(found[0].row.has_value());

  // Without a key that leads with the user's column the presumption cannot serve: keys read.
  EntityMapping unindexed = Environments();
  unindexed.table.unique = {{"legacy_id", "user_id"}};
  WrittenKeys other;
  other.PresumeFresh();
  REQUIRE(FindExistingRows(unindexed, &loader, false, records, &other, &found).ok());
  CHECK_FALSE(other.fresh());
  CHECK(loader.probes == 0);
}

}  // namespace ferry::written_keys_test
