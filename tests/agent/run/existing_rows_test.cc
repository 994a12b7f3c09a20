#include "agent/run/existing_rows.h"

#include <catch2/catch.hpp>

namespace ferry::existing_rows_test {

namespace {

// A target in memory that reads rows by whichever columns the TableDef's primary_key names.
class RowsLoader final : public Loader {
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
    reads.push_back(table.primary_key);
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
  Result<BatchOutcome> Write(const WriteBatch&) override { return BatchOutcome(); }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }

  std::vector<Row> rows;
  std::vector<std::vector<std::string>> reads;  // the key of each FetchRows
};

// environments: id (ulid, key), user_id, legacy_id, name; unique (user_id, legacy_id), (name).
EntityMapping Environments() {
  EntityMapping entity;
  entity.name = "environments";
  entity.table.name = "environments";
  entity.table.columns = {{"id", ColumnType::kUlid, false},
                          {"user_id", ColumnType::kText, false},
                          {"legacy_id", ColumnType::kText, false},
                          {"name", ColumnType::kText, true}};
  entity.table.primary_key = {"id"};
  entity.table.unique = {{"user_id", "legacy_id"}, {"name"}};
  entity.ulid_column = 0;
  return entity;
}

Row EnvRow(const std::string& id, const std::string& legacy_id, Cell name) {
  return Row{{id, std::string("u"), legacy_id, std::move(name)}};
}

AssignedRecord Record(Row row, bool known) {
  AssignedRecord record;
  record.identity.legacy_id = std::get<std::string>(row.cells[2]);
  record.identity.ulid = std::get<std::string>(row.cells[0]);
  record.identity.known = known;
  if (known) record.known = KnownIdentity{record.identity.ulid, "hash"};
  record.row = std::move(row);
  return record;
}

}  // namespace

TEST_CASE("FindExistingRows: a known row by its key, a foreign row by a unique key, else none",
          "[agent][conflicts]") {
  RowsLoader loader;
  loader.rows = {EnvRow("KNOWN", "e1", std::string("one")),
                 EnvRow("BYHAND", "e2", std::string("two"))};
  std::vector<AssignedRecord> records;
  records.push_back(Record(EnvRow("KNOWN", "e1", std::string("one")), true));
  records.push_back(Record(EnvRow("FRESH2", "e2", std::string("two, renamed")), false));
  records.push_back(Record(EnvRow("FRESH3", "e3", Cell()), false));
  std::vector<ExistingRow> found;
  REQUIRE(FindExistingRows(Environments(), &loader, true, records, nullptr, &found).ok());
  REQUIRE(found.size() == 3);
  CHECK(found[0].row.has_value());
  CHECK_FALSE(found[0].adopted);
  REQUIRE(found[1].row.has_value());
  CHECK(found[1].adopted);
  CHECK(std::get<std::string>(found[1].row->cells[0]) == "BYHAND");
  CHECK_FALSE(found[2].row.has_value());
  CHECK(found[2].conflict.empty());
  // The known record alone by its key (new ULIDs cannot be there); by (user_id, legacy_id)
  // only the records not found; by name only the one whose name is not its row's, not null.
  REQUIRE(loader.reads.size() == 3);
  CHECK(loader.reads[1] == std::vector<std::string>{"user_id", "legacy_id"});

  AdoptRow(Environments(), *found[1].row, &records[1]);
  CHECK(std::get<std::string>(records[1].row.cells[0]) == "BYHAND");
  CHECK(records[1].identity.ulid == "BYHAND");
  CHECK(records[1].identity.adopted);
  CHECK(std::get<std::string>(records[1].row.cells[3]) == "two, renamed");  // the incoming value
}

TEST_CASE("FindExistingRows: a record whose keys lead to two rows gets a conflict",
          "[agent][conflicts]") {
  RowsLoader loader;
  loader.rows = {EnvRow("MINE", "e1", std::string("old name")),
                 EnvRow("OTHER", "e9", std::string("taken"))};
  std::vector<AssignedRecord> records;
  records.push_back(Record(EnvRow("MINE", "e1", std::string("taken")), true));
  std::vector<ExistingRow> found;
  REQUIRE(FindExistingRows(Environments(), &loader, true, records, nullptr, &found).ok());
  REQUIRE(found[0].row.has_value());
  CHECK(std::get<std::string>(found[0].row->cells[0]) == "MINE");
  CHECK(found[0].conflict.find("(name)") != std::string::npos);
}

TEST_CASE("BatchKeyConflicts: the later of two written records with one unique key is refused",
          "[agent][conflicts]") {
  std::vector<AssignedRecord> records;
  records.push_back(Record(EnvRow("A", "e1", std::string("same")), false));
  records.push_back(Record(EnvRow("B", "e2", std::string("same")), false));
  records.push_back(Record(EnvRow("C", "e3", std::string("same")), false));
  records.push_back(Record(EnvRow("D", "e4", Cell()), false));
  records.push_back(Record(EnvRow("E", "e5", Cell()), false));  // nulls take no key
  std::vector<std::string> reasons =
      BatchKeyConflicts(Environments(), records, {true, true, false, true, true});
  CHECK(reasons[0].empty());
  CHECK(reasons[1].find("(name)") != std::string::npos);
  CHECK(reasons[1].find("\"e1\"") != std::string::npos);
  CHECK(reasons[2].empty());  // not written: kept rows take no key
  CHECK(reasons[3].empty());
  CHECK(reasons[4].empty());
}

}  // namespace ferry::existing_rows_test
