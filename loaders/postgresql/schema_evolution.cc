#include "loaders/postgresql/schema_evolution.h"

#include <pqxx/pqxx>

#include "loaders/postgresql/column_list.h"
#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/schema_adoption.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/schema_history.h"

namespace ferry::postgres {

namespace {

constexpr ColumnType kAllTypes[] = {
    ColumnType::kText, ColumnType::kInteger,   ColumnType::kReal, ColumnType::kBoolean,
    ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid};

// The names of the CHECK constraints on `column` alone that hold ferry's ULID rule (UlidCheckSql
// as the server prints it back), and no other: an application's own CHECK stays.
std::vector<std::string> UlidChecks(pqxx::transaction_base& txn, const std::string& qualified,
                                    const std::string& column) {
  pqxx::result rows = txn.exec_params(
      "SELECT c.conname FROM pg_catalog.pg_constraint c "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
      "WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1 "
      "AND a.attname = $2 AND pg_get_constraintdef(c.oid) LIKE '%length(%) = 26)%' "
      "AND pg_get_constraintdef(c.oid) LIKE '%!~ ''[^0-9A-HJKMNP-TV-Z]''%'",
      qualified, column);
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row[0].c_str());
  return names;
}

// PgTypeOf(type) as format_type() spells it back (timestamptz is "timestamp with time zone").
std::string CatalogSpelling(ColumnType type) {
  return type == ColumnType::kTimestamp ? "timestamp with time zone" : PgTypeOf(type);
}

// `value` as a literal of a column of `type`: the text CellText gives, quoted and cast.
Result<std::string> TypedLiteral(pqxx::transaction_base& txn, const Cell& value, ColumnType type) {
  ColumnDef column;
  column.type = type;
  FERRY_ASSIGN_OR_RETURN(std::optional<std::string> text, CellText(column, value));
  if (!text) return std::string("NULL");
  return txn.quote(*text) + "::" + PgTypeOf(type);
}

}  // namespace

Result<ExistingTable> ReadExistingTable(pqxx::transaction_base& txn, const std::string& schema,
                                        const std::string& table) {
  std::string qualified = QualifiedName(schema, table);
  ExistingTable existing;
  pqxx::result columns = txn.exec_params(
      "SELECT attname, format_type(atttypid, atttypmod), attnotnull, "
      "atthasdef OR attidentity <> '' OR attgenerated <> '' "
      "FROM pg_catalog.pg_attribute "
      "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      qualified);
  for (const auto& row : columns) {
    ExistingColumn column;
    column.name = row[0].c_str();
    column.declared_type = row[1].c_str();
    bool ulid_checked =
        column.declared_type == "text" && !UlidChecks(txn, qualified, column.name).empty();
    for (ColumnType type : kAllTypes) {
      if (RoundTrips(type, column.declared_type) && (!ulid_checked || type == ColumnType::kUlid)) {
        column.accepts |= TypeBit(type);
      }
      bool declared = column.declared_type == CatalogSpelling(type) &&
                      (type == ColumnType::kUlid) == ulid_checked;
      if (declared) column.declares |= TypeBit(type);
    }
    column.not_null = row[2].as<bool>();
    column.has_default = row[3].as<bool>();
    existing.columns.push_back(std::move(column));
  }
  pqxx::result keys = txn.exec_params(
      "SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_index i "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
      "WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL "
      "AND i.indexprs IS NULL GROUP BY i.indexrelid",
      qualified);
  for (const auto& row : keys) {
    std::vector<std::string> key;
    auto array = row[0].as_array();
    for (auto item = array.get_next(); item.first != pqxx::array_parser::juncture::done;
         item = array.get_next()) {
      if (item.first == pqxx::array_parser::juncture::string_value) key.push_back(item.second);
    }
    existing.unique_keys.push_back(std::move(key));
  }
  // Every full, column-only index, its columns in index order.
  pqxx::result indexes = txn.exec_params(
      "SELECT c.relname, array_agg(a.attname::text "
      "ORDER BY array_position(i.indkey::int2[], a.attnum)) "
      "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
      "WHERE i.indrelid = $1::regclass AND i.indpred IS NULL AND i.indexprs IS NULL "
      "GROUP BY c.relname",
      qualified);
  for (const auto& row : indexes) {
    ExistingIndex index;
    index.name = row[0].c_str();
    auto array = row[1].as_array();
    for (auto item = array.get_next(); item.first != pqxx::array_parser::juncture::done;
         item = array.get_next()) {
      if (item.first == pqxx::array_parser::juncture::string_value) {
        index.columns.push_back(item.second);
      }
    }
    existing.indexes.push_back(std::move(index));
  }
  return existing;
}

Result<std::vector<std::string>> DuplicateKeys(pqxx::transaction_base& txn,
                                               const std::string& schema, const std::string& table,
                                               const std::vector<std::string>& key) {
  std::string values;
  std::string not_null;
  for (const std::string& column : key) {
    values += (values.empty() ? "" : ", ") + QuoteIdentifier(column) + "::text";
    not_null += (not_null.empty() ? "" : " AND ") + QuoteIdentifier(column) + " IS NOT NULL";
  }
  pqxx::result rows =
      txn.exec("SELECT concat_ws(', ', " + values + "), count(*) FROM " +
               QualifiedName(schema, table) + " WHERE " + not_null + " GROUP BY " +
               ColumnList(key) + " HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 5");
  std::vector<std::string> duplicates;
  for (const auto& row : rows) {
    duplicates.push_back(std::string("(") + row[0].c_str() + ") in " + row[1].c_str() + " rows");
  }
  return duplicates;
}

Status ApplyStep(pqxx::transaction_base& txn, const std::string& schema, const std::string& table,
                 const EvolutionStep& step) {
  std::string qualified = QualifiedName(schema, table);
  std::string column = QuoteIdentifier(step.column);
  switch (step.kind) {
    case EvolutionStep::Kind::kAddColumn: {
      // The rows already there take the DEFAULT, which stays on the column.
      std::string sql = "ALTER TABLE " + qualified + " ADD COLUMN " + column + " " +
                        PgTypeOf(step.type) +
                        (step.type == ColumnType::kUlid ? " " + UlidCheckSql(column) : "");
      if (step.not_null) sql += " NOT NULL";
      if (!IsNull(step.default_value)) {
        FERRY_ASSIGN_OR_RETURN(std::string literal,
                               TypedLiteral(txn, step.default_value, step.type));
        sql += " DEFAULT " + literal;
      }
      txn.exec0(sql);
      return Status::OK();
    }
    case EvolutionStep::Kind::kAddIndex:
      txn.exec0("CREATE INDEX " + QuoteIdentifier(step.index.name) + " ON " + qualified + " (" +
                ColumnList(step.index.columns) + ")");
      return Status::OK();
    case EvolutionStep::Kind::kAddUniqueKey: {
      FERRY_ASSIGN_OR_RETURN(std::vector<std::string> duplicates,
                             DuplicateKeys(txn, schema, table, step.key));
      if (!duplicates.empty()) {
        return Status::InvalidArgument(DuplicateKeyRefusal(qualified, step.key, duplicates));
      }
      txn.exec0("CREATE UNIQUE INDEX " + QuoteIdentifier(UniqueIndexName(table, step.key)) +
                " ON " + qualified + " (" + ColumnList(step.key) + ")");
      return Status::OK();
    }
    case EvolutionStep::Kind::kWidenToText:
      for (const std::string& check : UlidChecks(txn, qualified, step.column)) {
        txn.exec0("ALTER TABLE " + qualified + " DROP CONSTRAINT " + QuoteIdentifier(check));
      }
      return Status::OK();
    case EvolutionStep::Kind::kRecordShape:
      return Status::OK();
  }
  return Status::OK();
}

Status RevertStep(pqxx::transaction_base& txn, const std::string& schema, const std::string& table,
                  const EvolutionStep& step, int64_t version, bool force) {
  std::string qualified = QualifiedName(schema, table);
  std::string column = QuoteIdentifier(step.column);
  switch (step.kind) {
    case EvolutionStep::Kind::kAddColumn: {
      // A value the column's DEFAULT gave is no value to lose.
      std::string other_than_default;
      if (!IsNull(step.default_value)) {
        FERRY_ASSIGN_OR_RETURN(std::string literal,
                               TypedLiteral(txn, step.default_value, step.type));
        other_than_default = " AND " + column + " IS DISTINCT FROM " + literal;
      }
      int64_t values = txn.exec1("SELECT count(*) FROM " + qualified + " WHERE " + column +
                                 " IS NOT NULL" + other_than_default)[0]
                           .as<int64_t>();
      FERRY_RETURN_IF_ERROR(RefuseDropOfValues(qualified, step.column, values, version, force));
      txn.exec0("ALTER TABLE " + qualified + " DROP COLUMN " + column);
      return Status::OK();
    }
    case EvolutionStep::Kind::kAddUniqueKey:
      txn.exec0("DROP INDEX IF EXISTS " + QualifiedName(schema, UniqueIndexName(table, step.key)));
      return Status::OK();
    case EvolutionStep::Kind::kAddIndex:
      txn.exec0("DROP INDEX IF EXISTS " + QualifiedName(schema, step.index.name));
      return Status::OK();
    case EvolutionStep::Kind::kWidenToText:
      txn.exec0("ALTER TABLE " + qualified + " ADD " + UlidCheckSql(column));
      return Status::OK();
    case EvolutionStep::Kind::kRecordShape:
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace ferry::postgres
