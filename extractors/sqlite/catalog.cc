#include "extractors/sqlite/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace ferry::sqlite_source {

namespace {

using firefox::CopiedDatabase;
using firefox::Statement;

std::string Text(sqlite3_stmt* statement, int column) {
  const unsigned char* text = sqlite3_column_text(statement, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

// Runs `statement` (with `name` bound to ?1) and calls `row` for each row.
template <typename RowFn>
Status EachRow(const CopiedDatabase& db, const std::string& sql, std::string_view name, RowFn row) {
  FERRY_ASSIGN_OR_RETURN(Statement statement, db.Prepare(sql));
  sqlite3_bind_text(statement.get(), 1, name.data(), static_cast<int>(name.size()),
                    SQLITE_TRANSIENT);
  int code;
  while ((code = sqlite3_step(statement.get())) == SQLITE_ROW) {
    row(statement.get());
  }
  if (code != SQLITE_DONE) {
    return db.Error(code, fmt::format("read the catalog of {}", name));
  }
  return Status::OK();
}

Status ReadColumns(const CopiedDatabase& db, CatalogTable* table) {
  FERRY_RETURN_IF_ERROR(EachRow(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)",
                                table->name, [table](sqlite3_stmt* row) {
                                  CatalogColumn column;
                                  column.name = Text(row, 0);
                                  column.declared_type = Text(row, 1);
                                  column.not_null = sqlite3_column_int(row, 2) != 0;
                                  column.key_position = sqlite3_column_int(row, 3);
                                  table->columns.push_back(std::move(column));
                                }));
  std::vector<const CatalogColumn*> key;
  for (const CatalogColumn& column : table->columns) {
    if (column.key_position > 0) {
      key.push_back(&column);
    }
  }
  std::sort(key.begin(), key.end(), [](const CatalogColumn* a, const CatalogColumn* b) {
    return a->key_position < b->key_position;
  });
  for (const CatalogColumn* column : key) {
    table->primary_key.push_back(column->name);
  }
  table->creation_column = FindCreationColumn(table->columns);
  return Status::OK();
}

Status ReadForeignKeys(const CopiedDatabase& db, CatalogTable* table) {
  // Rows come per constraint id, then seq: one ForeignKey per id. SQLite numbers the
  // constraints from the last declared, so descending ids give declaration order.
  int current = -1;
  return EachRow(db,
                 "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) "
                 "ORDER BY id DESC, seq",
                 table->name, [&current, table](sqlite3_stmt* row) {
                   int id = sqlite3_column_int(row, 0);
                   if (id != current) {
                     current = id;
                     table->foreign_keys.emplace_back();
                     table->foreign_keys.back().parent = Text(row, 1);
                   }
                   ForeignKey& key = table->foreign_keys.back();
                   key.columns.push_back(Text(row, 2));
                   // NULL "to": the constraint names the parent's primary key (resolved later).
                   key.parent_columns.push_back(Text(row, 3));
                 });
}

// A foreign key written "REFERENCES users" points at the parent's primary key.
void ResolveParentColumns(Catalog* catalog) {
  for (CatalogTable& table : catalog->tables) {
    for (ForeignKey& key : table.foreign_keys) {
      const CatalogTable* parent = catalog->Find(key.parent);
      for (size_t i = 0; i < key.parent_columns.size(); ++i) {
        if (key.parent_columns[i].empty() && parent != nullptr && i < parent->primary_key.size()) {
          key.parent_columns[i] = parent->primary_key[i];
        }
      }
    }
  }
}

}  // namespace

const CatalogTable* Catalog::Find(std::string_view table) const {
  // The exact name first: in PostgreSQL "Users" and users are two tables, and every name a
  // caller passes comes from the catalog itself.
  for (const CatalogTable& candidate : tables) {
    if (candidate.name == table) return &candidate;
  }
  for (const CatalogTable& candidate : tables) {
    // SQLite compares identifiers without ASCII case.
    if (candidate.name.size() == table.size() &&
        std::equal(table.begin(), table.end(), candidate.name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &candidate;
    }
  }
  return nullptr;
}

Result<Catalog> ReadCatalog(const CopiedDatabase& db) {
  Catalog catalog;
  // pragma table_list tells plain tables from views, virtual and shadow tables without
  // running any of them.
  FERRY_ASSIGN_OR_RETURN(Statement list,
                         db.Prepare("SELECT name, type, wr FROM pragma_table_list "
                                    "WHERE schema = 'main' AND name NOT LIKE 'sqlite!_%' "
                                    "ESCAPE '!' ORDER BY name"));
  int code;
  while ((code = sqlite3_step(list.get())) == SQLITE_ROW) {
    std::string name = Text(list.get(), 0);
    std::string type = Text(list.get(), 1);
    if (type != "table") {
      catalog.skipped.push_back(fmt::format("{} {}", type, name));
      continue;
    }
    CatalogTable table;
    table.name = std::move(name);
    table.without_rowid = sqlite3_column_int(list.get(), 2) != 0;
    catalog.tables.push_back(std::move(table));
  }
  if (code != SQLITE_DONE) {
    return db.Error(code, "list its tables");
  }
  for (CatalogTable& table : catalog.tables) {
    FERRY_RETURN_IF_ERROR(ReadColumns(db, &table));
    FERRY_RETURN_IF_ERROR(ReadForeignKeys(db, &table));
  }
  ResolveParentColumns(&catalog);
  return catalog;
}

std::string FindCreationColumn(const std::vector<CatalogColumn>& columns) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "createdat",    "created",    "createdon",   "creationtime",
      "creationdate", "insertedat", "datecreated", "ctime"};
  for (std::string_view wanted : kNames) {
    for (const CatalogColumn& column : columns) {
      std::string folded;
      for (char c : column.name) {
        if (c != '_' && c != '-') {
          folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
      if (folded == wanted) {
        return column.name;
      }
    }
  }
  return "";
}

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

}  // namespace ferry::sqlite_source
