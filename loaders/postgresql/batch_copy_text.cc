#include "loaders/postgresql/batch_copy_text.h"

#include "base/quoted.h"
#include "loaders/core/write_batch_check.h"
#include "loaders/postgresql/copy_text.h"

namespace ferry::postgres {

namespace {

constexpr size_t kBytesPerRowGuess = 256;

Status InRow(const Status& status, const WriteBatch& batch, size_t row) {
  return status.WithContext("table " + Quoted(batch.table->name) + ", legacy id " +
                            Quoted(batch.identities[row].legacy_id));
}

// Appends the row's cells, each followed by a tab.
Status AppendCells(const WriteBatch& batch, size_t row, std::string* text) {
  const TableDef& table = *batch.table;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    Result<std::optional<std::string>> cell = CellText(table.columns[i], batch.rows[row].cells[i]);
    if (!cell.ok()) return InRow(cell.status(), batch, row);
    AppendCopyField(*cell, text);
    *text += '\t';
  }
  return Status::OK();
}

// Appends `values` as tab-separated fields and ends the line. Bookkeeping text cannot hold NUL.
Status AppendBookkeeping(std::initializer_list<std::string_view> values, const WriteBatch& batch,
                         size_t row, std::string* text) {
  bool first = true;
  for (std::string_view value : values) {
    if (value.find('\0') != std::string_view::npos) {
      return InRow(Status::InvalidArgument("the identity holds a NUL byte"), batch, row);
    }
    if (!first) *text += '\t';
    first = false;
    AppendCopyEscaped(value, text);
  }
  *text += '\n';
  return Status::OK();
}

// Appends the staged line of `row`: its cells, position, legacy id, ULID, content hash and
// whether the row is kept.
Status AppendStagedLine(const WriteBatch& batch, size_t row, std::string* text) {
  FERRY_RETURN_IF_ERROR(AppendCells(batch, row, text));
  const IdentityRecord& identity = batch.identities[row];
  std::string position = std::to_string(row);
  return AppendBookkeeping({position, identity.legacy_id, identity.ulid, identity.content_hash,
                            identity.keep_row ? "t" : "f"},
                           batch, row, text);
}

}  // namespace

Result<DirectCopyText> BatchDirectCopyText(const WriteBatch& batch, std::string_view run_id,
                                           std::string_view now, std::string_view schema) {
  FERRY_RETURN_IF_ERROR(CheckWriteBatch(batch));
  DirectCopyText out;
  out.table.reserve(batch.rows.size() * kBytesPerRowGuess);
  out.id_map.reserve(batch.rows.size() * 96);
  for (size_t row = 0; row < batch.rows.size(); ++row) {
    const IdentityRecord& identity = batch.identities[row];
    if (identity.known || identity.adopted) {
      FERRY_RETURN_IF_ERROR(AppendStagedLine(batch, row, &out.staged));
      ++out.staged_rows;
      continue;
    }
    FERRY_RETURN_IF_ERROR(AppendCells(batch, row, &out.table));
    out.table.back() = '\n';  // the last cell's tab ends the line
    FERRY_RETURN_IF_ERROR(
        AppendBookkeeping({batch.user_id, batch.entity, identity.legacy_id, identity.ulid,
                           identity.content_hash, run_id, now, schema},
                          batch, row, &out.id_map));
    ++out.new_rows;
  }
  return out;
}

}  // namespace ferry::postgres
