#include "extractors/postgresql/pg_catalog.h"

#include <map>
#include <pqxx/result>

namespace ferry::postgresql_source {

namespace {

using sqlite_source::CatalogColumn;
using sqlite_source::CatalogTable;
using sqlite_source::ForeignKey;

// Relations of the schema: 'r' plain and 'p' partitioned tables are read; views ('v'),
// materialized views ('m') and foreign tables ('f') are named as skipped.
constexpr const char* kRelations =
    "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
    "ORDER BY c.relname COLLATE \"C\"";

constexpr const char* kColumns =
    "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "  coalesce(array_position(k.conkey, a.attnum), 0) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p' "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY c.relname COLLATE \"C\", a.attnum";

// One row per column of each foreign key, in the constraint's column order; constraints in
// name order (PostgreSQL keeps no declaration order).
constexpr const char* kForeignKeys =
    "SELECT c.relname, k.conname, p.relname, ca.attname, pa.attname "
    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class p ON p.oid = k.confrelid "
    "CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(child, parent, pos) "
    "JOIN pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = u.child "
    "JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.parent "
    "WHERE n.nspname = $1 AND k.contype = 'f' "
    "ORDER BY c.relname COLLATE \"C\", k.conname COLLATE \"C\", u.pos";

const char* KindName(char kind) {
  switch (kind) {
    case 'v':
      return "view";
    case 'm':
      return "materialized view";
    default:
      return "foreign table";
  }
}

}  // namespace

sqlite_source::Catalog ReadCatalog(pqxx::transaction_base& txn, const std::string& schema) {
  sqlite_source::Catalog catalog;
  std::map<std::string, size_t> index;  // table name -> position in catalog.tables
  for (const pqxx::row& row : txn.exec_params(kRelations, schema)) {
    std::string name = row[0].c_str();
    char kind = row[1].c_str()[0];
    if (kind != 'r' && kind != 'p') {
      catalog.skipped.push_back(std::string(KindName(kind)) + " " + name);
      continue;
    }
    index[name] = catalog.tables.size();
    catalog.tables.push_back(CatalogTable{name, {}, {}, {}, "", false});
  }
  for (const pqxx::row& row : txn.exec_params(kColumns, schema)) {
    auto found = index.find(row[0].c_str());
    if (found == index.end()) continue;  // a partition, listed under its parent
    CatalogColumn column;
    column.name = row[1].c_str();
    column.declared_type = row[2].c_str();
    column.not_null = row[3].as<bool>();
    column.key_position = row[4].as<int>();
    catalog.tables[found->second].columns.push_back(std::move(column));
  }
  for (CatalogTable& table : catalog.tables) {
    std::map<int, std::string> key;
    for (const CatalogColumn& column : table.columns) {
      if (column.key_position > 0) key[column.key_position] = column.name;
    }
    for (auto& [position, name] : key) table.primary_key.push_back(name);
    table.creation_column = sqlite_source::FindCreationColumn(table.columns);
  }
  std::string current;  // "table\0constraint" of the key being filled
  for (const pqxx::row& row : txn.exec_params(kForeignKeys, schema)) {
    auto found = index.find(row[0].c_str());
    if (found == index.end()) continue;
    CatalogTable& table = catalog.tables[found->second];
    std::string constraint = std::string(row[0].c_str()) + '\0' + row[1].c_str();
    if (constraint != current) {
      current = constraint;
      table.foreign_keys.push_back(ForeignKey{{}, row[2].c_str(), {}});
    }
    table.foreign_keys.back().columns.push_back(row[3].c_str());
    table.foreign_keys.back().parent_columns.push_back(row[4].c_str());
  }
  return catalog;
}

}  // namespace ferry::postgresql_source
