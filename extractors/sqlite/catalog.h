// The catalog of an application's SQLite database, as `pragma table_info` and
// `pragma foreign_key_list` give it: its plain tables, their columns, primary keys, foreign
// keys and the column that holds each row's creation time (a name ferry recognises).
//
// Read once from a private copy (firefox::CopiedDatabase), then plain data. Thread safety:
// ReadCatalog uses the database from one thread; the result is immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "extractors/firefox/sqlite_db.h"

namespace ferry::sqlite_source {

struct CatalogColumn {
  std::string name;
  std::string declared_type;  // as written in CREATE TABLE ("varchar(36)"), may be ""
  bool not_null = false;
  int key_position = 0;  // 1-based position in the primary key, 0 when not part of it
};

// One foreign key; composite keys hold several columns, in the constraint's order.
struct ForeignKey {
  std::vector<std::string> columns;         // in the child table
  std::string parent;                       // the parent table, as the constraint names it
  std::vector<std::string> parent_columns;  // the parent's primary key when the DDL omits it
};

struct CatalogTable {
  std::string name;
  std::vector<CatalogColumn> columns;    // in table order
  std::vector<std::string> primary_key;  // in key order; empty: the table has only a rowid
  std::vector<ForeignKey> foreign_keys;  // in declaration order
  std::string creation_column;           // the row's creation time, "" when no column is recognised
  bool without_rowid = false;
};

struct Catalog {
  std::vector<CatalogTable> tables;  // plain tables in name order (no views, virtual tables)
  std::vector<std::string> skipped;  // views and virtual tables, never read ("view v_users")

  const CatalogTable* Find(std::string_view table) const;
};

// The catalog of `db`. Fails (naming the file) when SQLite cannot read its schema.
Result<Catalog> ReadCatalog(const firefox::CopiedDatabase& db);

// The creation-time column among `columns`: the first whose name, compared without case,
// '_' or '-', is createdat, created, createdon, creationtime, creationdate, insertedat,
// datecreated or ctime; "" when none is.
std::string FindCreationColumn(const std::vector<CatalogColumn>& columns);

// `name` as an SQL identifier: in double quotes, a double quote doubled.
std::string QuoteIdentifier(std::string_view name);

}  // namespace ferry::sqlite_source
