#include "loaders/core/write_batch_check.h"

#include <string>

namespace ferry {

namespace {

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace

Status CheckWriteBatch(const WriteBatch& batch) {
  if (batch.table == nullptr) {
    return Status::Internal("a write batch has no table");
  }
  const TableDef& table = *batch.table;
  if (batch.identities.size() != batch.rows.size()) {
    return Status::Internal("table " + Quoted(table.name) + ": a batch of " +
                            std::to_string(batch.rows.size()) + " rows has " +
                            std::to_string(batch.identities.size()) + " identities");
  }
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    if (batch.rows[i].cells.size() != table.columns.size()) {
      return Status::Internal("table " + Quoted(table.name) + ", legacy id " +
                              Quoted(batch.identities[i].legacy_id) + ": the row has " +
                              std::to_string(batch.rows[i].cells.size()) + " cells for " +
                              std::to_string(table.columns.size()) + " columns");
    }
  }
  return Status::OK();
}

}  // namespace ferry
