#include "loaders/postgresql/rollback_writer.h"

#include <map>
#include <pqxx/pqxx>

#include "base/fault_point.h"
#include "loaders/postgresql/bookkeeping.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

namespace {

// A cell as an SQL literal of its column's type (NULL, or quoted text the column reads).
Result<std::string> Literal(const ColumnDef& column, const Cell& cell) {
  FERRY_ASSIGN_OR_RETURN(std::optional<std::string> text, CellText(column, cell));
  return text ? QuoteLiteral(*text) : std::string("NULL");
}

// The statement that puts back one row: a DELETE by key, or an upsert of the whole row.
Result<std::string> RowSql(const TableDef& table, const std::string& schema,
                           const PreImage& image) {
  std::string name = QualifiedName(schema, table.name);
  std::string where, key_list;
  if (image.key.cells.size() != table.primary_key.size()) {
    return Status::Corruption("a pre-image's key does not fit table " + table.name);
  }
  for (size_t k = 0; k < table.primary_key.size(); ++k) {
    int index = table.ColumnIndex(table.primary_key[k]);
    if (index < 0) return Status::Internal("table " + table.name + ": no key column");
    FERRY_ASSIGN_OR_RETURN(std::string value, Literal(table.columns[index], image.key.cells[k]));
    std::string column = QuoteIdentifier(table.primary_key[k]);
    where += (k == 0 ? "" : " AND ") + column + " = " + value;
    key_list += (k == 0 ? "" : ", ") + column;
  }
  if (!image.present) return "DELETE FROM " + name + " WHERE " + where;
  if (image.row.cells.size() != table.columns.size()) {
    return Status::Corruption("a pre-image of table " + table.name + " has " +
                              std::to_string(image.row.cells.size()) + " cells, the table " +
                              std::to_string(table.columns.size()) + " columns");
  }
  std::string columns, values, updates;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    std::string column = QuoteIdentifier(table.columns[c].name);
    FERRY_ASSIGN_OR_RETURN(std::string value, Literal(table.columns[c], image.row.cells[c]));
    columns += (c == 0 ? "" : ", ") + column;
    values += (c == 0 ? "" : ", ") + value;
    updates += (c == 0 ? "" : ", ") + column + " = EXCLUDED." + column;
  }
  return "INSERT INTO " + name + " (" + columns + ") VALUES (" + values + ") ON CONFLICT (" +
         key_list + ") DO UPDATE SET " + updates;
}

void PutBookkeepingBack(pqxx::work& txn, const std::string& schema, const PreImage& image) {
  if (image.kind == PreImage::Kind::kIdentity) {
    if (!image.present) {
      txn.exec_params(
          "DELETE FROM ferry.id_map WHERE user_id = $1 AND target_schema = $2 AND entity = $3 "
          "AND legacy_id = $4",
          image.user_id, schema, image.entity, image.legacy_id);
      return;
    }
    txn.exec_params(
        "INSERT INTO ferry.id_map (user_id, target_schema, entity, legacy_id, ulid, content_hash, "
        "run_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (user_id, "
        "target_schema, entity, legacy_id) DO UPDATE SET ulid = EXCLUDED.ulid, content_hash = "
        "EXCLUDED.content_hash, run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at",
        image.user_id, schema, image.entity, image.legacy_id, image.ulid, image.content_hash,
        image.run_id);
    return;
  }
  if (!image.present) {
    txn.exec_params(
        "DELETE FROM ferry.checkpoints WHERE user_id = $1 AND target_schema = $2 AND entity = $3 "
        "AND unit = $4",
        image.user_id, schema, image.entity, image.unit);
    return;
  }
  txn.exec_params(
      "INSERT INTO ferry.checkpoints (user_id, target_schema, entity, unit, position, run_id, "
      "token, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', now()) ON CONFLICT (user_id, "
      "target_schema, entity, unit) DO UPDATE SET position = EXCLUDED.position, run_id = "
      "EXCLUDED.run_id, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at",
      image.user_id, schema, image.entity, image.unit, image.position, image.run_id);
}

}  // namespace

Status ApplyRollback(Session* session, const std::string& run_id,
                     const std::vector<const TableDef*>& tables, PreImageStream& images,
                     const std::string& detail) {
  std::map<std::string, const TableDef*> by_name;
  for (const TableDef* table : tables) by_name[table->name] = table;
  const std::string context = "rolling back run " + run_id;
  return Guarded(context, session->secrets(), [&]() -> Status {
    pqxx::work txn(session->connection());
    // A statement's exception passes through ForEach to Guarded, which owns the txn's end.
    FERRY_RETURN_IF_ERROR(images.ForEach([&](const PreImage& image) -> Status {
      if (image.kind != PreImage::Kind::kRow) {
        PutBookkeepingBack(txn, session->schema(), image);
        return Status::OK();
      }
      auto found = by_name.find(image.table);
      if (found == by_name.end()) {
        return Status::InvalidArgument(context + ": the run wrote table " + image.table +
                                       ", which the mapping does not have (--mapping)");
      }
      FERRY_ASSIGN_OR_RETURN(std::string sql, RowSql(*found->second, session->schema(), image));
      txn.exec(sql);
      return Status::OK();
    }));
    pqxx::result changed = txn.exec_params("UPDATE ferry.runs SET status = $2 WHERE run_id = $1",
                                           run_id, kRolledBackStatus);
    if (changed.affected_rows() == 0) {
      return Status::NotFound("run " + run_id + " is not in ferry.runs");
    }
    Audit(txn, run_id, "rollback", detail);
    FaultPoint("rollback.before_commit");
    txn.commit();
    return Status::OK();
  });
}

}  // namespace ferry::postgres
