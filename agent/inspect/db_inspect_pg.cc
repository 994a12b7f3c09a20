#include "agent/inspect/db_inspect_pg.h"

#include <fmt/format.h>

#include <pqxx/result>

#include "extractors/postgresql/pg_snapshot.h"
#include "extractors/sqlite/table_order.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry {

namespace {

using postgresql_source::SourceSnapshot;
using sqlite_source::CatalogTable;
using sqlite_source::ForeignKey;

constexpr int kKeyFetchRows = 10000;

bool IsIntegerType(const std::string& type) {
  return type == "smallint" || type == "integer" || type == "bigint";
}

// `columns` of alias `alias` as one text: "a, b".
std::string JoinedText(const std::string& alias, const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& column : columns) {
    out += (out.empty() ? "" : " || ', ' || ") + alias + "." + postgres::QuoteIdentifier(column) +
           "::text";
  }
  return out;
}

// Row count, and with a one-column key the kind of each value, streamed through a cursor.
void ScanPgTable(pqxx::transaction_base& txn, const SourceSnapshot& snapshot,
                 const CatalogTable& table, DbTableFacts* facts) {
  std::string from = snapshot.Qualified(table.name);
  if (table.primary_key.size() != 1) {
    facts->rows = txn.exec1(fmt::format("SELECT count(*) FROM {}", from))[0].as<int64_t>();
    return;
  }
  bool integer = false;
  for (const auto& column : table.columns) {
    if (column.name == table.primary_key[0]) integer = IsIntegerType(column.declared_type);
  }
  txn.exec0(fmt::format("DECLARE ferry_keys NO SCROLL CURSOR FOR SELECT {}::text FROM {}",
                        postgres::QuoteIdentifier(table.primary_key[0]), from));
  for (;;) {
    pqxx::result batch = txn.exec(fmt::format("FETCH {} FROM ferry_keys", kKeyFetchRows));
    for (const pqxx::row& row : batch) {
      IdKind kind = row[0].is_null() ? IdKind::kMissing
                    : integer        ? IdKind::kInteger
                                     : ClassifyIdText(row[0].c_str());
      ++facts->id_kinds[static_cast<size_t>(kind)];
      ++facts->rows;
    }
    if (batch.empty()) break;
  }
  txn.exec0("CLOSE ferry_keys");
}

DbForeignKeyFacts FindPgOrphans(pqxx::transaction_base& txn, const SourceSnapshot& snapshot,
                                const CatalogTable& table, const ForeignKey& key) {
  DbForeignKeyFacts facts;
  facts.table = table.name;
  facts.columns = key.columns;
  facts.parent = key.parent;
  facts.parent_columns = key.parent_columns;
  facts.parent_missing = snapshot.catalog().Find(key.parent) == nullptr;
  std::string present;
  std::string match;
  for (size_t i = 0; i < key.columns.size(); ++i) {
    std::string child = "c." + postgres::QuoteIdentifier(key.columns[i]);
    present += (i == 0 ? "" : " AND ") + child + " IS NOT NULL";
    match += fmt::format("{}p.{} = {}", i == 0 ? "" : " AND ",
                         postgres::QuoteIdentifier(key.parent_columns[i]), child);
  }
  std::string absent = facts.parent_missing
                           ? "true"
                           : fmt::format("NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                                         snapshot.Qualified(key.parent), match);
  std::string where =
      fmt::format("FROM {} AS c WHERE {} AND {}", snapshot.Qualified(table.name), present, absent);
  facts.orphans = txn.exec1("SELECT count(*) " + where)[0].as<int64_t>();
  if (facts.orphans == 0) return facts;
  std::string row_key =
      table.primary_key.empty() ? "c.ctid::text" : JoinedText("c", table.primary_key);
  std::string order = table.primary_key.empty() ? "c.ctid" : JoinedText("c", table.primary_key);
  if (table.primary_key.size() == 1) order = "c." + postgres::QuoteIdentifier(table.primary_key[0]);
  for (const pqxx::row& row :
       txn.exec(fmt::format("SELECT {}, {} {} ORDER BY {} LIMIT {}", row_key,
                            JoinedText("c", key.columns), where, order, kOrphanExamples))) {
    facts.examples.push_back(DbOrphan{row[0].c_str(), row[1].c_str()});
  }
  return facts;
}

}  // namespace

Result<DbInspectReport> InspectPostgres(const SourceSpec& spec) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<SourceSnapshot> snapshot, SourceSnapshot::Open(spec.path));
  const sqlite_source::Catalog& catalog = snapshot->catalog();
  sqlite_source::TableOrder order = sqlite_source::ParentsFirst(catalog);
  DbInspectReport report;
  report.source = snapshot->display_name();
  report.in_cycles = order.in_cycles;
  report.skipped = catalog.skipped;
  for (const std::string& name : order.tables) {
    const CatalogTable& table = *catalog.Find(name);
    FERRY_RETURN_IF_ERROR(
        snapshot->Run("read table " + table.name, [&](pqxx::transaction_base& txn) {
          DbTableFacts facts;
          facts.name = table.name;
          facts.primary_key = table.primary_key;
          facts.creation_column = table.creation_column;
          ScanPgTable(txn, *snapshot, table, &facts);
          report.tables.push_back(std::move(facts));
          for (const ForeignKey& key : table.foreign_keys) {
            report.foreign_keys.push_back(FindPgOrphans(txn, *snapshot, table, key));
          }
          return Status::OK();
        }));
  }
  return report;
}

}  // namespace ferry
