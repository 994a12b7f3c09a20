#include "loaders/postgresql/schema_adoption.h"

#include <pqxx/pqxx>
#include <vector>

#include "loaders/postgresql/column_list.h"
#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

namespace {

Status RequireKey(pqxx::transaction_base& txn, const std::string& qualified,
                  const std::vector<std::string>& key, const std::string& why) {
  FERRY_ASSIGN_OR_RETURN(bool has_key, HasUniqueKey(txn, qualified, key));
  if (has_key) return Status::OK();
  return Status::InvalidArgument(
      "table " + qualified +
      " exists in the target without a PRIMARY KEY or UNIQUE constraint "
      "on (" +
      ColumnList(key) + "), " + why +
      ". ferry adopts only a table whose constraints enforce the mapping's keys: `ferry schema "
      "up` adopts it and adds the key as a recorded migration when no two rows share it (or "
      "add it yourself: ALTER TABLE " +
      qualified + " ADD UNIQUE (" + ColumnList(key) +
      ")), or map the entity to a table of its own");
}

}  // namespace

bool RoundTrips(ColumnType wanted, const std::string& type) {
  if (type == PgTypeOf(wanted)) return true;
  switch (wanted) {
    case ColumnType::kText:
    case ColumnType::kUlid:
      return type == "character varying";  // without a length: unbounded, as text
    case ColumnType::kInteger:
      return type == "numeric";  // without precision: every bigint exactly
    case ColumnType::kTimestamp:
      return type == "timestamp with time zone";  // timestamptz, as format_type() spells it
    default:
      return false;
  }
}

Status CheckAdoptable(pqxx::transaction_base& txn, const std::string& schema, const TableDef& table,
                      bool require_unique_keys) {
  FERRY_RETURN_IF_ERROR(CheckExistingTable(txn, schema, table));
  std::string qualified = QualifiedName(schema, table.name);
  pqxx::result columns = txn.exec_params(
      "SELECT attname, format_type(atttypid, atttypmod), attnotnull AND NOT atthasdef "
      "AND attidentity = '' AND attgenerated = '' "
      "FROM pg_catalog.pg_attribute "
      "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
      qualified);
  for (const auto& row : columns) {
    std::string name = row[0].c_str();
    std::string type = row[1].c_str();
    int index = table.ColumnIndex(name);
    if (index < 0) {
      if (row[2].as<bool>()) {
        return Status::InvalidArgument(
            "table " + qualified + " exists in the target with column " + QuoteIdentifier(name) +
            " NOT NULL and without a default, which the mapping does not write: every row ferry "
            "inserts would fail. Give the column a default, or map it");
      }
      continue;
    }
    const ColumnDef& wanted = table.columns[static_cast<size_t>(index)];
    if (!RoundTrips(wanted.type, type)) {
      return Status::InvalidArgument(
          "table " + qualified + " exists in the target with column " + QuoteIdentifier(name) +
          " of type " + type + ", but the mapping writes " + ColumnTypeName(wanted.type) + " as " +
          PgTypeOf(wanted.type) +
          ": its values would be changed or refused. ferry adopts a table only where every "
          "value reads back as written: change the column to " +
          PgTypeOf(wanted.type) +
          " (ALTER TABLE ... ALTER COLUMN ... TYPE), or map the entity to a table of its own");
    }
  }
  for (const std::vector<std::string>& unique : table.unique) {
    if (!require_unique_keys) break;
    FERRY_RETURN_IF_ERROR(RequireKey(
        txn, qualified, unique,
        "a unique key the mapping declares: without it a row already there under that key "
        "would be written a second time"));
  }
  return Status::OK();
}

}  // namespace ferry::postgres
