// The `sqlite` source kind: an application's SQLite database (docs/database-sources.md).
// Each plain table is an entity and each row a record: an entry of shape kRecord whose key
// is the table's name and whose value is the row as a JSON object (row_json.h). Tables come
// parents first, the heaviest chain of tables first among those ready together (LoadOrder in
// table_order.h, by each table's largest rowid), rows in primary-key order (rowid order for a
// table without one), so the same database gives the same entries on every run. Each table is
// a unit.
//
// The database is never opened where it lies: it is copied aside with its -wal and -journal
// and the copy is opened with a distrusted schema, defensive and query-only
// (firefox::CopiedDatabase). Views and virtual tables are never read.
#pragma once

#include <memory>
#include <string>

#include "extractors/extractor.h"

namespace ferry {

// An extractor over the SQLite database at spec.path; errors surface from Open().
std::unique_ptr<Extractor> MakeSqliteExtractor(const SourceSpec& spec);

// True when `path` is a regular file that starts with SQLite's header ("SQLite format 3").
bool DetectSqlite(const std::string& path);

}  // namespace ferry
