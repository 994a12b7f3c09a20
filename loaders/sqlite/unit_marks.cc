#include "loaders/sqlite/unit_marks.h"

#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/unit_mark.h"

namespace ferry::sqlite {

Status ReadUnitMarks(sqlite3* db, const std::vector<std::string>& units, size_t max_kept_bytes,
                     std::vector<StoredUnitMark>* out) {
  if (db == nullptr || units.empty()) return Status::OK();  // a dry run of a missing file
  if (units.size() > kMaxMarkUnits) {
    return Status::Internal("ReadUnitMarks: more unit names than one statement takes");
  }
  const char* context = "reading the unit marks of ferry_checkpoints";
  Transaction txn(db);  // the marks and what they kept, as of one moment
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred, context));
  FERRY_ASSIGN_OR_RETURN(bool marks, TableExists(db, "ferry_checkpoints"));
  if (!marks) return txn.Commit(context);
  FERRY_ASSIGN_OR_RETURN(bool kept, TableExists(db, "ferry_unit_rejects"));
  // ?1 the mark's entity, ?2 the longest body read, ?3... the unit names.
  std::string sql =
      kept ? "SELECT c.user_id, c.unit, c.run_id, c.position, r.run_id, r.position, CASE WHEN "
             "length(CAST(r.body AS BLOB)) <= ?2 THEN r.body END, r.user_id IS NOT NULL FROM "
             "ferry_checkpoints c LEFT JOIN ferry_unit_rejects r ON r.user_id = c.user_id AND "
             "r.unit = c.unit WHERE c.entity = ?1 AND c.unit IN ("
           : "SELECT c.user_id, c.unit, c.run_id, c.position, NULL, NULL, NULL, 0 FROM "
             "ferry_checkpoints c WHERE c.entity = ?1 AND c.unit IN (";
  for (size_t i = 0; i < units.size(); ++i) {
    sql += (i == 0 ? "?" : ", ?") + std::to_string(i + 3);
  }
  sql += ")";
  FERRY_ASSIGN_OR_RETURN(
      Statement stmt,
      PrepareBound(db, sql, {std::string(kUnitDoneEntity), static_cast<int64_t>(max_kept_bytes)}));
  for (size_t i = 0; i < units.size(); ++i) {
    FERRY_RETURN_IF_ERROR(BindValue(stmt.get(), static_cast<int>(i + 3), Cell(units[i])));
  }
  for (;;) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), context));
    if (!has_row) break;
    sqlite3_stmt* row = stmt.get();
    StoredUnitMark stored;
    stored.user_id = ColumnText(row, 0);
    stored.unit = ColumnText(row, 1);
    stored.mark = StoredCheckpoint{ColumnText(row, 2), sqlite3_column_int64(row, 3)};
    if (sqlite3_column_int64(row, 7) != 0) {
      if (sqlite3_column_type(row, 6) == SQLITE_NULL) {
        stored.kept_left_out = true;
      } else {
        stored.kept =
            StoredUnitRejects{ColumnText(row, 4), sqlite3_column_int64(row, 5), ColumnText(row, 6)};
      }
    }
    out->push_back(std::move(stored));
  }
  return txn.Commit(context);
}

}  // namespace ferry::sqlite
