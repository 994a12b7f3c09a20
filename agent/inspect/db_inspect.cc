#include "agent/inspect/db_inspect.h"

#include <fmt/format.h>

#include "agent/inspect/db_orphans.h"
#include "extractors/firefox/sqlite_db.h"
#include "extractors/sqlite/catalog.h"
#include "extractors/sqlite/row_json.h"
#include "extractors/sqlite/table_order.h"
#include "loaders/postgresql_module.h"

namespace ferry {

namespace {

using firefox::CopiedDatabase;
using firefox::Statement;
using sqlite_source::CatalogTable;
using sqlite_source::QuoteIdentifier;

IdKind KindOfValue(sqlite3_stmt* statement) {
  switch (sqlite3_column_type(statement, 0)) {
    case SQLITE_NULL:
      return IdKind::kMissing;
    case SQLITE_INTEGER:
      return IdKind::kInteger;
    case SQLITE_TEXT:
      return ClassifyIdText(sqlite_source::ValueText(statement, 0));
    default:
      return IdKind::kOther;  // a real or a blob
  }
}

// Row count, and with a one-column key the kind of each of its values, in one scan.
Status ScanTable(const CopiedDatabase& db, const CatalogTable& table, DbTableFacts* facts) {
  bool one_column = table.primary_key.size() == 1;
  std::string sql = one_column
                        ? fmt::format("SELECT {} FROM {}", QuoteIdentifier(table.primary_key[0]),
                                      QuoteIdentifier(table.name))
                        : fmt::format("SELECT count(*) FROM {}", QuoteIdentifier(table.name));
  FERRY_ASSIGN_OR_RETURN(Statement scan, db.Prepare(sql));
  int code;
  while ((code = sqlite3_step(scan.get())) == SQLITE_ROW) {
    if (one_column) {
      ++facts->rows;
      ++facts->id_kinds[static_cast<size_t>(KindOfValue(scan.get()))];
    } else {
      facts->rows = sqlite3_column_int64(scan.get(), 0);
    }
  }
  if (code != SQLITE_DONE) {
    return db.Error(code, fmt::format("read table {}", table.name));
  }
  return Status::OK();
}

}  // namespace

std::string DominantIdKind(const DbTableFacts& table) {
  if (table.primary_key.empty()) {
    return "rowid";
  }
  if (table.primary_key.size() > 1) {
    return "composite";
  }
  size_t best = 0;
  for (size_t kind = 1; kind < table.id_kinds.size(); ++kind) {
    if (table.id_kinds[kind] > table.id_kinds[best]) {
      best = kind;
    }
  }
  return table.id_kinds[best] == 0 ? "-" : IdKindName(static_cast<IdKind>(best));
}

Result<DbInspectReport> InspectDatabase(const SourceSpec& spec) {
  if (spec.kind == "postgresql") {
    FERRY_ASSIGN_OR_RETURN(const PostgresqlModuleApi* postgresql, PostgresqlModule());
    return postgresql->inspect(spec);
  }
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<CopiedDatabase> db, CopiedDatabase::Open(spec.path));
  if (!db->truncation().empty()) {
    return Status::Corruption(db->truncation());
  }
  FERRY_ASSIGN_OR_RETURN(sqlite_source::Catalog catalog, sqlite_source::ReadCatalog(*db));
  sqlite_source::TableOrder order = sqlite_source::ParentsFirst(catalog);
  DbInspectReport report;
  report.source = spec.path;
  report.in_cycles = order.in_cycles;
  report.skipped = catalog.skipped;
  for (const std::string& name : order.tables) {
    const CatalogTable& table = *catalog.Find(name);
    DbTableFacts facts;
    facts.name = table.name;
    facts.primary_key = table.primary_key;
    facts.creation_column = table.creation_column;
    FERRY_RETURN_IF_ERROR(ScanTable(*db, table, &facts));
    report.tables.push_back(std::move(facts));
    for (const sqlite_source::ForeignKey& key : table.foreign_keys) {
      FERRY_ASSIGN_OR_RETURN(DbForeignKeyFacts facts, FindOrphans(*db, catalog, table, key));
      report.foreign_keys.push_back(std::move(facts));
    }
  }
  return report;
}

}  // namespace ferry
