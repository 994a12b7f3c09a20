#include "loaders/core/write_batch_check.h"

#include <catch2/catch.hpp>

namespace ferry::write_batch_check_test {
namespace {

TableDef TwoColumns() {
  return {"tasks", {{"id", ColumnType::kText, false}, {"title"}}, {"id"}, {}};
}

WriteBatch OneRow(const TableDef* table) {
  WriteBatch batch;
  batch.table = table;
  batch.rows.push_back(Row{{std::string("1"), std::string("a")}});
  batch.identities.push_back(IdentityRecord{"L1", "", "", false});
  return batch;
}

TEST_CASE("CheckWriteBatch: a well-formed batch passes", "[loaders][core]") {
  TableDef table = TwoColumns();
  CHECK(CheckWriteBatch(OneRow(&table)).ok());
}

TEST_CASE("CheckWriteBatch: no table, identities short, a row short of cells",
          "[loaders][core][hostile]") {
  TableDef table = TwoColumns();
  WriteBatch no_table = OneRow(nullptr);
  CHECK(CheckWriteBatch(no_table).code() == Status::Code::kInternal);

  WriteBatch no_identity = OneRow(&table);
  no_identity.identities.clear();
  Status status = CheckWriteBatch(no_identity);
  CHECK(status.code() == Status::Code::kInternal);
  CHECK(status.message().find("a batch of 1 rows has 0 identities") != std::string::npos);

  WriteBatch short_row = OneRow(&table);
  short_row.rows[0].cells.pop_back();
  status = CheckWriteBatch(short_row);
  CHECK(status.code() == Status::Code::kInternal);
  CHECK(status.message().find("legacy id \"L1\": the row has 1 cells for 2 columns") !=
        std::string::npos);
}

}  // namespace
}  // namespace ferry::write_batch_check_test
