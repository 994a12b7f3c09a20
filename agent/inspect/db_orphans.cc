#include "agent/inspect/db_orphans.h"

#include <fmt/format.h>

#include "extractors/sqlite/row_json.h"

namespace ferry {

namespace {

using sqlite_source::QuoteIdentifier;

// The child's key as one expression: its primary key joined with ', ', or its rowid.
std::string RowKeyExpression(const sqlite_source::CatalogTable& table) {
  if (table.primary_key.empty()) {
    return "c.rowid";
  }
  std::string expression;
  for (const std::string& column : table.primary_key) {
    expression += (expression.empty() ? "" : " || ', ' || ") + ("c." + QuoteIdentifier(column));
  }
  return expression;
}

std::string OrphanQuery(const sqlite_source::CatalogTable& table,
                        const sqlite_source::ForeignKey& key, bool parent_missing) {
  std::string present;  // every column of the reference is set
  std::string value;    // the reference as one text
  std::string match;    // the parent row it names
  for (size_t i = 0; i < key.columns.size(); ++i) {
    std::string child = "c." + QuoteIdentifier(key.columns[i]);
    present += (i == 0 ? "" : " AND ") + child + " IS NOT NULL";
    value += (i == 0 ? "" : " || ', ' || ") + child;
    if (i < key.parent_columns.size()) {
      // "" when the parent has no key the constraint could name: SQLite's rowid then.
      const std::string& column = key.parent_columns[i];
      match += fmt::format("{}p.{} = {}", i == 0 ? "" : " AND ",
                           column.empty() ? "rowid" : QuoteIdentifier(column), child);
    }
  }
  if (key.columns.size() == 1) {
    value = "c." + QuoteIdentifier(key.columns[0]);  // keeps its type (integer, text)
  }
  std::string order = table.primary_key.empty() ? "c.rowid" : "1";
  std::string absent = parent_missing ? "1"
                                      : fmt::format("NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                                                    QuoteIdentifier(key.parent), match);
  return fmt::format("SELECT {}, {} FROM {} AS c WHERE {} AND {} ORDER BY {}",
                     RowKeyExpression(table), value, QuoteIdentifier(table.name), present, absent,
                     order);
}

}  // namespace

Result<DbForeignKeyFacts> FindOrphans(const firefox::CopiedDatabase& db,
                                      const sqlite_source::Catalog& catalog,
                                      const sqlite_source::CatalogTable& table,
                                      const sqlite_source::ForeignKey& key) {
  DbForeignKeyFacts facts;
  facts.table = table.name;
  facts.columns = key.columns;
  facts.parent = key.parent;
  facts.parent_columns = key.parent_columns;
  const sqlite_source::CatalogTable* parent = catalog.Find(key.parent);
  facts.parent_missing = parent == nullptr;
  if (parent != nullptr) {
    facts.parent = parent->name;
  }
  FERRY_ASSIGN_OR_RETURN(firefox::Statement query,
                         db.Prepare(OrphanQuery(table, key, facts.parent_missing)));
  int code;
  while ((code = sqlite3_step(query.get())) == SQLITE_ROW) {
    if (facts.orphans++ < kOrphanExamples) {
      facts.examples.push_back(DbOrphan{sqlite_source::ValueText(query.get(), 0),
                                        sqlite_source::ValueText(query.get(), 1)});
    }
  }
  if (code != SQLITE_DONE) {
    return db.Error(code, fmt::format("look for orphans of {}", table.name));
  }
  return facts;
}

}  // namespace ferry
