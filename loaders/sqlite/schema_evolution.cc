#include "loaders/sqlite/schema_evolution.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "loaders/schema_history.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/schema_adoption.h"
#include "loaders/sqlite/schema_ddl.h"
#include "loaders/sqlite/sql_identifier.h"
#include "loaders/sqlite/sqlite_handle.h"
#include "transformers/datetime.h"

namespace ferry::sqlite {

namespace {

// Each row of `sql` (one text parameter, `argument`) as its columns' text.
Result<std::vector<std::vector<std::string>>> Rows(sqlite3* db, const std::string& sql,
                                                   const std::string& argument) {
  FERRY_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql));
  if (sqlite3_bind_parameter_count(stmt.get()) > 0) {
    sqlite3_bind_text(stmt.get(), 1, argument.data(), static_cast<int>(argument.size()),
                      SQLITE_TRANSIENT);
  }
  std::vector<std::vector<std::string>> rows;
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db, stmt.get(), "reading table " + argument));
    if (!has_row) return rows;
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt.get()); ++i)
      row.push_back(ColumnText(stmt.get(), i));
    rows.push_back(std::move(row));
  }
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string KeyColumnList(const std::vector<std::string>& key, const char* separator) {
  std::string list;
  for (const std::string& column : key) {
    list += (list.empty() ? "" : separator) + QuoteIdentifier(column);
  }
  return list;
}

// `value` as an SQL literal of a column of `type`, as BindCell would store it: text in quotes,
// a timestamp as its RFC 3339 text, a boolean 1 or 0, a real always with a point or exponent
// (REAL affinity either way, but a bare 3 reads back as an integer in a column without type).
std::string Literal(const Cell& value, ColumnType type) {
  auto quoted = [](const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  };
  if (const auto* text = std::get_if<std::string>(&value)) return quoted(*text);
  if (const auto* integer = std::get_if<int64_t>(&value)) {
    return type == ColumnType::kTimestamp ? quoted(FormatTimestampMillis(*integer))
                                          : std::to_string(*integer);
  }
  if (const auto* real = std::get_if<double>(&value)) {
    std::string text = fmt::format("{}", *real);
    return text.find_first_of(".eE") == std::string::npos ? text + ".0" : text;
  }
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean ? "1" : "0";
  return "NULL";
}

}  // namespace

Result<ExistingTable> ReadExistingTable(sqlite3* db, const std::string& table) {
  ExistingTable existing;
  FERRY_ASSIGN_OR_RETURN(
      std::vector<std::vector<std::string>> columns,
      Rows(db,
           "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk FROM pragma_table_info(?1) "
           "ORDER BY cid",
           table));
  std::vector<std::pair<int, std::string>> primary_key;
  for (const std::vector<std::string>& row : columns) {
    ExistingColumn column;
    column.name = row[0];
    column.declared_type = row[1];
    column.accepts = TypesKeptBy(row[1]);
    for (ColumnType type :
         {ColumnType::kText, ColumnType::kInteger, ColumnType::kReal, ColumnType::kBoolean,
          ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid}) {
      if (Upper(row[1]) == SqliteTypeOf(type)) column.declares |= TypeBit(type);
    }
    column.not_null = row[2] == "1";
    column.has_default = row[3] == "1";
    if (row[4] != "0") primary_key.emplace_back(std::stoi(row[4]), row[0]);
    existing.columns.push_back(std::move(column));
  }
  std::sort(primary_key.begin(), primary_key.end());
  if (primary_key.size() == 1) {
    // An INTEGER PRIMARY KEY alone is the rowid, which SQLite fills.
    for (ExistingColumn& column : existing.columns) {
      if (column.name == primary_key[0].second && Upper(column.declared_type) == "INTEGER") {
        column.has_default = true;
      }
    }
  }
  if (!primary_key.empty()) {
    std::vector<std::string> key;
    for (const auto& [position, name] : primary_key) key.push_back(name);
    existing.unique_keys.push_back(std::move(key));
  }
  FERRY_ASSIGN_OR_RETURN(
      std::vector<std::vector<std::string>> indexes,
      Rows(db, "SELECT name, \"unique\" FROM pragma_index_list(?1) WHERE NOT partial", table));
  for (const std::vector<std::string>& index : indexes) {
    FERRY_ASSIGN_OR_RETURN(
        std::vector<std::vector<std::string>> key_columns,
        Rows(db, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", index[0]));
    std::vector<std::string> key;
    bool expression = false;
    for (const std::vector<std::string>& column : key_columns) {
      expression = expression || column[0].empty();
      key.push_back(column[0]);
    }
    if (expression) continue;
    existing.indexes.push_back({index[0], key});
    if (index[1] == "1") existing.unique_keys.push_back(std::move(key));
  }
  return existing;
}

Result<std::vector<std::string>> DuplicateKeys(sqlite3* db, const std::string& table,
                                               const std::vector<std::string>& key) {
  std::string values;
  std::string not_null;
  for (const std::string& column : key) {
    values += (values.empty() ? "" : " || ', ' || ") + std::string("quote(") +
              QuoteIdentifier(column) + ")";
    not_null += (not_null.empty() ? "" : " AND ") + QuoteIdentifier(column) + " IS NOT NULL";
  }
  FERRY_ASSIGN_OR_RETURN(std::vector<std::vector<std::string>> rows,
                         Rows(db,
                              "SELECT " + values + ", count(*) FROM " + QuoteIdentifier(table) +
                                  " WHERE " + not_null + " GROUP BY " + KeyColumnList(key, ", ") +
                                  " HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 5",
                              table));
  std::vector<std::string> duplicates;
  for (const std::vector<std::string>& row : rows) {
    duplicates.push_back("(" + row[0] + ") in " + row[1] + " rows");
  }
  return duplicates;
}

Status ApplyStep(sqlite3* db, const std::string& table, const EvolutionStep& step) {
  std::string context = "evolving table " + QuoteIdentifier(table) + ": " + StepText(step);
  std::string sql;
  switch (step.kind) {
    case EvolutionStep::Kind::kAddColumn:
      // The rows already there take the DEFAULT (SQLite reads it from the schema for them).
      sql = "ALTER TABLE " + QuoteIdentifier(table) + " ADD COLUMN " +
            QuoteIdentifier(step.column) + " " + SqliteTypeOf(step.type);
      if (step.not_null) sql += " NOT NULL";
      if (!IsNull(step.default_value)) sql += " DEFAULT " + Literal(step.default_value, step.type);
      break;
    case EvolutionStep::Kind::kAddIndex:
      sql = "CREATE INDEX " + QuoteIdentifier(step.index.name) + " ON " + QuoteIdentifier(table) +
            " (" + KeyColumnList(step.index.columns, ", ") + ")";
      break;
    case EvolutionStep::Kind::kAddUniqueKey: {
      FERRY_ASSIGN_OR_RETURN(std::vector<std::string> duplicates,
                             DuplicateKeys(db, table, step.key));
      if (!duplicates.empty()) {
        return Status::InvalidArgument(
            DuplicateKeyRefusal(QuoteIdentifier(table), step.key, duplicates));
      }
      sql = "CREATE UNIQUE INDEX " + QuoteIdentifier(UniqueIndexName(table, step.key)) + " ON " +
            QuoteIdentifier(table) + " (" + KeyColumnList(step.key, ", ") + ")";
      break;
    }
    case EvolutionStep::Kind::kWidenToText:  // TEXT either way
    case EvolutionStep::Kind::kRecordShape:
      return Status::OK();
  }
  return Exec(db, sql.c_str(), context);
}

Status RevertStep(sqlite3* db, const std::string& table, const EvolutionStep& step, int64_t version,
                  bool force) {
  std::string context = "reverting schema migration " + std::to_string(version);
  std::string sql;
  switch (step.kind) {
    case EvolutionStep::Kind::kAddColumn: {
      // A value the column's DEFAULT gave is no value to lose.
      std::string column = QuoteIdentifier(step.column);
      std::string other_than_default =
          IsNull(step.default_value)
              ? ""
              : " AND " + column + " IS NOT " + Literal(step.default_value, step.type);
      FERRY_ASSIGN_OR_RETURN(std::vector<std::vector<std::string>> count,
                             Rows(db,
                                  "SELECT count(*) FROM " + QuoteIdentifier(table) + " WHERE " +
                                      column + " IS NOT NULL" + other_than_default,
                                  table));
      FERRY_RETURN_IF_ERROR(RefuseDropOfValues(QuoteIdentifier(table), step.column,
                                               std::stoll(count.at(0).at(0)), version, force));
      sql =
          "ALTER TABLE " + QuoteIdentifier(table) + " DROP COLUMN " + QuoteIdentifier(step.column);
      break;
    }
    case EvolutionStep::Kind::kAddUniqueKey:
      sql = "DROP INDEX IF EXISTS " + QuoteIdentifier(UniqueIndexName(table, step.key));
      break;
    case EvolutionStep::Kind::kAddIndex:
      sql = "DROP INDEX IF EXISTS " + QuoteIdentifier(step.index.name);
      break;
    case EvolutionStep::Kind::kWidenToText:
    case EvolutionStep::Kind::kRecordShape:
      return Status::OK();
  }
  return Exec(db, sql.c_str(), context);
}

}  // namespace ferry::sqlite
