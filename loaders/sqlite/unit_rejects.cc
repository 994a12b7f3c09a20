#include "loaders/sqlite/unit_rejects.h"

#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/schema_ddl.h"

namespace ferry::sqlite {

Status KeepUnitRejects(sqlite3* db, const std::string& user_id, const std::string& unit,
                       int64_t position, const std::string& body, const std::string& run_id) {
  Result<int> changed =
      RunBound(db,
               "INSERT INTO ferry_unit_rejects (user_id, unit, position, run_id, body, updated_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, unit) DO UPDATE SET "
               "position = excluded.position, run_id = excluded.run_id, body = excluded.body, "
               "updated_at = excluded.updated_at",
               {user_id, unit, position, run_id, body, NowText()}, "writing ferry_unit_rejects");
  return changed.ok() ? Status::OK() : changed.status();
}

Status ReadUnitRejects(sqlite3* db, const std::string& user_id, const std::string& unit,
                       std::optional<StoredUnitRejects>* out) {
  out->reset();
  if (db == nullptr) return Status::OK();  // a dry run of a missing file
  FERRY_ASSIGN_OR_RETURN(bool exists, TableExists(db, "ferry_unit_rejects"));
  if (!exists) return Status::OK();
  FERRY_ASSIGN_OR_RETURN(Statement stmt,
                         PrepareBound(db,
                                      "SELECT run_id, position, body FROM ferry_unit_rejects "
                                      "WHERE user_id = ?1 AND unit = ?2",
                                      {user_id, unit}));
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading ferry_unit_rejects"));
  if (has_row) {
    *out = StoredUnitRejects{ColumnText(stmt.get(), 0), sqlite3_column_int64(stmt.get(), 1),
                             ColumnText(stmt.get(), 2)};
  }
  return Status::OK();
}

}  // namespace ferry::sqlite
