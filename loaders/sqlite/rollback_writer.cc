#include "loaders/sqlite/rollback_writer.h"

#include <map>
#include <string_view>

#include "base/fault_point.h"
#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/cell_binding.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/transaction.h"
#include "loaders/sqlite/user_lock.h"

namespace ferry::sqlite {

namespace {

// The two statements that put back a row of one table: delete by key, upsert the whole row.
struct TableStatements {
  const TableDef* table = nullptr;
  std::vector<const ColumnDef*> key_columns;
  Statement remove;
  Statement upsert;
};

Result<TableStatements> PrepareTable(sqlite3* db, const TableDef& table) {
  TableStatements out;
  out.table = &table;
  std::string name = QuoteIdentifier(table.name);
  std::string where, columns, values, updates, key_list;
  for (size_t k = 0; k < table.primary_key.size(); ++k) {
    int index = table.ColumnIndex(table.primary_key[k]);
    if (index < 0) return Status::Internal("table " + table.name + ": no key column");
    out.key_columns.push_back(&table.columns[index]);
    std::string column = QuoteIdentifier(table.primary_key[k]);
    where += (k == 0 ? "" : " AND ") + column + " = ?" + std::to_string(k + 1);
    key_list += (k == 0 ? "" : ", ") + column;
  }
  for (size_t c = 0; c < table.columns.size(); ++c) {
    std::string column = QuoteIdentifier(table.columns[c].name);
    columns += (c == 0 ? "" : ", ") + column;
    values += (c == 0 ? "?" : ", ?") + std::to_string(c + 1);
    updates += (c == 0 ? "" : ", ") + column + " = excluded." + column;
  }
  FERRY_ASSIGN_OR_RETURN(out.remove, Prepare(db, "DELETE FROM " + name + " WHERE " + where));
  FERRY_ASSIGN_OR_RETURN(
      out.upsert, Prepare(db, "INSERT INTO " + name + " (" + columns + ") VALUES (" + values +
                                  ") ON CONFLICT (" + key_list + ") DO UPDATE SET " + updates));
  return out;
}

Status PutRowBack(sqlite3* db, TableStatements& statements, const PreImage& image) {
  std::string context = "putting back a row of " + statements.table->name;
  if (image.present) {
    if (image.row.cells.size() != statements.table->columns.size()) {
      return Status::Corruption(context + ": the pre-image has " +
                                std::to_string(image.row.cells.size()) + " cells, the table " +
                                std::to_string(statements.table->columns.size()) + " columns");
    }
    ResetOnExit reset(statements.upsert.get());
    FERRY_RETURN_IF_ERROR(BindRow(statements.upsert.get(), *statements.table, image.row));
    return Step(db, statements.upsert.get(), context).status();
  }
  if (image.key.cells.size() != statements.key_columns.size()) {
    return Status::Corruption(context + ": the pre-image's key does not fit the table's");
  }
  ResetOnExit reset(statements.remove.get());
  for (size_t k = 0; k < image.key.cells.size(); ++k) {
    FERRY_RETURN_IF_ERROR(BindCell(statements.remove.get(), static_cast<int>(k + 1),
                                   *statements.key_columns[k], image.key.cells[k]));
  }
  return Step(db, statements.remove.get(), context).status();
}

Status PutBookkeepingBack(sqlite3* db, const PreImage& image, const std::string& now) {
  if (image.kind == PreImage::Kind::kIdentity) {
    if (!image.present) {
      return RunBound(db,
                      "DELETE FROM ferry_id_map WHERE entity = ?1 AND user_id = ?2 AND "
                      "legacy_id = ?3",
                      {image.entity, image.user_id, image.legacy_id}, "putting back the id map")
          .status();
    }
    return RunBound(db,
                    "INSERT INTO ferry_id_map (entity, user_id, legacy_id, ulid, content_hash, "
                    "run_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT "
                    "(entity, user_id, legacy_id) DO UPDATE SET ulid = excluded.ulid, "
                    "content_hash = excluded.content_hash, run_id = excluded.run_id, "
                    "updated_at = excluded.updated_at",
                    {image.entity, image.user_id, image.legacy_id, image.ulid, image.content_hash,
                     image.run_id, now},
                    "putting back the id map")
        .status();
  }
  if (!image.present) {
    return RunBound(db,
                    "DELETE FROM ferry_checkpoints WHERE user_id = ?1 AND entity = ?2 AND "
                    "unit = ?3",
                    {image.user_id, image.entity, image.unit}, "putting back a checkpoint")
        .status();
  }
  return RunBound(db,
                  "INSERT INTO ferry_checkpoints (user_id, entity, unit, position, run_id, "
                  "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, entity, "
                  "unit) DO UPDATE SET position = excluded.position, run_id = excluded.run_id, "
                  "updated_at = excluded.updated_at",
                  {image.user_id, image.entity, image.unit, image.position, image.run_id, now},
                  "putting back a checkpoint")
      .status();
}

}  // namespace

Status ApplyRollback(sqlite3* db, const std::string& run_id,
                     const std::vector<const TableDef*>& tables, PreImageStream& images,
                     const std::string& detail) {
  std::string context = "rolling back run " + run_id;
  Transaction txn(db);
  FERRY_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate, context));
  std::map<std::string, TableStatements> statements;
  for (const TableDef* table : tables) {
    FERRY_ASSIGN_OR_RETURN(statements[table->name], PrepareTable(db, *table));
  }
  const std::string now = NowText();
  FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage& image) -> Status {
    if (image.kind != PreImage::Kind::kRow) return PutBookkeepingBack(db, image, now);
    auto found = statements.find(image.table);
    if (found == statements.end()) {
      return Status::InvalidArgument(context + ": the run wrote table " + image.table +
                                     ", which the mapping does not have (--mapping)");
    }
    return PutRowBack(db, found->second, image);
  }));
  FERRY_ASSIGN_OR_RETURN(int changed,
                         RunBound(db, "UPDATE ferry_runs SET status = ?2 WHERE run_id = ?1",
                                  {run_id, std::string(kRolledBackStatus)}, context));
  if (changed == 0) return Status::NotFound("run " + run_id + " is not in ferry_runs");
  // The rejects the run kept beside its marks (bookkeeping 4) go with them: a mark put back is
  // an earlier run's, and its unit is read again (docs/reliability.md, "Rerun").
  FERRY_ASSIGN_OR_RETURN(bool kept, TableExists(db, "ferry_unit_rejects"));
  if (kept) {
    FERRY_RETURN_IF_ERROR(
        RunBound(db, "DELETE FROM ferry_unit_rejects WHERE run_id = ?1", {run_id}, context)
            .status());
  }
  FERRY_RETURN_IF_ERROR(Audit(db, run_id, "rollback", detail));
  statements.clear();  // finalized before the commit
  FaultPoint("rollback.before_commit");
  return txn.Commit(context);
}

}  // namespace ferry::sqlite
