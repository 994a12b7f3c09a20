#include "loaders/postgresql/row_reader.h"

#include <pqxx/pqxx>

#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

namespace {

std::string SelectExpression(const ColumnDef& column) {
  std::string name = "t." + QuoteIdentifier(column.name);
  switch (column.type) {
    case ColumnType::kTimestamp:
      return "floor(extract(epoch FROM " + name + ") * 1000)::bigint";
    case ColumnType::kJson:
      return name + "::text";
    default:
      return name;
  }
}

// A pqxx field as the Cell of a column of `type`.
Cell CellOf(const pqxx::field& field, ColumnType type) {
  if (field.is_null()) {
    return Cell();
  }
  switch (type) {
    case ColumnType::kInteger:
    case ColumnType::kTimestamp:
      return field.as<int64_t>();
    case ColumnType::kReal:
      return field.as<double>();
    case ColumnType::kBoolean:
      return field.as<bool>();
    default:
      return std::string(field.c_str(), field.size());
  }
}

}  // namespace

std::string FetchRowsSql(const TableDef& table, const std::string& schema) {
  std::string select;
  for (const ColumnDef& column : table.columns) {
    select += (select.empty() ? "" : ", ") + SelectExpression(column);
  }
  std::string arrays;
  std::string names;
  std::string join;
  for (size_t k = 0; k < table.primary_key.size(); ++k) {
    const ColumnDef& column =
        table.columns[static_cast<size_t>(table.ColumnIndex(table.primary_key[k]))];
    std::string param = "$" + std::to_string(k + 1) + "::text[]";
    std::string alias = "k" + std::to_string(k);
    arrays += (arrays.empty() ? "" : ", ") + param;
    names += alias + ", ";
    join += (join.empty() ? "" : " AND ") + std::string("t.") + QuoteIdentifier(column.name) +
            " = keys." + alias + "::" + PgTypeOf(column.type);
  }
  return "SELECT " + select + ", keys.ord FROM unnest(" + arrays + ") WITH ORDINALITY AS keys(" +
         names + "ord) JOIN " + QualifiedName(schema, table.name) + " t ON " + join;
}

Status FetchRows(Session* session, const TableDef& table, const std::vector<Row>& keys,
                 std::vector<std::optional<Row>>* out) {
  out->assign(keys.size(), std::nullopt);
  if (keys.empty()) {
    return Status::OK();
  }
  std::vector<std::vector<std::optional<std::string>>> columns(table.primary_key.size());
  for (const Row& key : keys) {
    if (key.cells.size() != table.primary_key.size()) {
      return Status::Internal("FetchRows on table \"" + table.name + "\": a key has " +
                              std::to_string(key.cells.size()) + " cells for " +
                              std::to_string(table.primary_key.size()) + " key columns");
    }
    for (size_t k = 0; k < key.cells.size(); ++k) {
      int index = table.ColumnIndex(table.primary_key[k]);
      if (index < 0) {
        return Status::Internal("table \"" + table.name + "\": key column " + table.primary_key[k] +
                                " is not a column");
      }
      FERRY_ASSIGN_OR_RETURN(std::optional<std::string> text,
                             CellText(table.columns[static_cast<size_t>(index)], key.cells[k]));
      columns[k].push_back(std::move(text));
    }
  }
  std::string sql = FetchRowsSql(table, session->schema());
  return Guarded(
      "reading rows of table \"" + table.name + "\"", session->secrets(), [&]() -> Status {
        pqxx::nontransaction txn(session->connection());
        std::vector<std::string> literals;
        for (const auto& column : columns) {
          literals.push_back(ArrayLiteral(column));
        }
        pqxx::result rows = txn.exec_params(
            sql, pqxx::prepare::make_dynamic_params(literals.begin(), literals.end()));
        size_t width = table.columns.size();
        for (const auto& row : rows) {
          int64_t ord = row[static_cast<pqxx::row::size_type>(width)].as<int64_t>();
          if (ord < 1 || static_cast<size_t>(ord) > keys.size()) {
            return Status::Internal("FetchRows: key position out of range");
          }
          Row found;
          found.cells.reserve(width);
          for (size_t i = 0; i < width; ++i) {
            found.cells.push_back(
                CellOf(row[static_cast<pqxx::row::size_type>(i)], table.columns[i].type));
          }
          (*out)[static_cast<size_t>(ord - 1)] = std::move(found);
        }
        return Status::OK();
      });
}

Status HoldsNoRowWith(Session* session, const TableDef& table, const std::string& column,
                      const Cell& value, bool* none) {
  *none = false;
  int index = table.ColumnIndex(column);
  if (index < 0) {
    return Status::Internal("table \"" + table.name + "\": column " + column + " is not a column");
  }
  const ColumnDef& def = table.columns[static_cast<size_t>(index)];
  FERRY_ASSIGN_OR_RETURN(std::optional<std::string> text, CellText(def, value));
  if (!text) return Status::OK();  // null equals nothing, but say nothing of it
  std::string sql = "SELECT NOT EXISTS (SELECT 1 FROM " +
                    QualifiedName(session->schema(), table.name) + " t WHERE t." +
                    QuoteIdentifier(def.name) + " = $1::" + PgTypeOf(def.type) + ")";
  return Guarded("reading rows of table \"" + table.name + "\"", session->secrets(),
                 [&]() -> Status {
                   pqxx::nontransaction txn(session->connection());
                   pqxx::result result = txn.exec_params(sql, *text);
                   *none = result.size() == 1 && result[0][0].as<bool>();
                   return Status::OK();
                 });
}

Status ProbeUser(Session* session, const std::string& user_id, bool with_id_map,
                 const std::vector<std::string>& entities, const std::vector<UserColumn>& tables,
                 bool* fresh) {
  *fresh = false;
  if (user_id.find('\0') != std::string::npos) return Status::OK();  // cannot tell: not fresh
  with_id_map = with_id_map && !entities.empty();
  std::string sql = "SELECT true";
  if (with_id_map) {
    // The key leads with (user_id, target_schema, entity): one index range per entity. Only
    // the entities asked about: a database's table asks about its own alone (user_probe.h).
    std::string names;
    for (const std::string& entity : entities) {
      if (entity.find('\0') != std::string::npos) return Status::OK();  // cannot tell
      names += (names.empty() ? "" : ", ") + QuoteLiteral(entity);
    }
    sql +=
        " AND NOT EXISTS (SELECT 1 FROM ferry.id_map WHERE user_id = $1::text AND target_schema = "
        "$2::text AND entity IN (" +
        names + "))";
  }
  for (const UserColumn& user : tables) {
    int index = user.table->ColumnIndex(user.column);
    if (index < 0) {
      return Status::Internal("table \"" + user.table->name + "\": column " + user.column +
                              " is not a column");
    }
    const ColumnDef& def = user.table->columns[static_cast<size_t>(index)];
    // The user id as the column's value (as MapRecord writes it: its text); a column that
    // takes it otherwise: cannot tell.
    Result<std::optional<std::string>> text = CellText(def, Cell(user_id));
    if (!text.ok() || !*text || **text != user_id) return Status::OK();
    sql += " AND NOT EXISTS (SELECT 1 FROM " + QualifiedName(session->schema(), user.table->name) +
           " t WHERE t." + QuoteIdentifier(def.name) + " = ($1::text)::" + PgTypeOf(def.type) + ")";
  }
  if (sql == "SELECT true") {
    *fresh = true;  // no id map and no table yet: nothing can be held
    return Status::OK();
  }
  return Guarded("reading what the target holds of a user", session->secrets(), [&]() -> Status {
    pqxx::nontransaction txn(session->connection());
    pqxx::result result = with_id_map ? txn.exec_params(sql, user_id, session->schema())
                                      : txn.exec_params(sql, user_id);
    *fresh = result.size() == 1 && result[0][0].as<bool>();
    return Status::OK();
  });
}

}  // namespace ferry::postgres
