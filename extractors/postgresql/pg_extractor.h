// The `postgresql` source kind: the tables of a PostgreSQL database, given as its URL
// (`ferry migrate postgresql://host/app --target ...`; docs/database-sources.md). As with an
// SQLite source (extractors/sqlite/sqlite_extractor.h) each plain table of the session's
// current schema is an entity and a unit, each row a kRecord entry whose key is the table's
// name and whose value is the row as a JSON object (PostgreSQL's row_to_json: numbers as
// numbers, timestamps in ISO 8601, bytea as "\\x..." text). Tables come parents first, the
// heaviest chain first among those ready together (LoadOrder, by the row counts the digest
// reads), rows in primary-key order (ctid order for a table without one).
//
// Everything is read in one READ ONLY transaction at REPEATABLE READ (pg_snapshot.h); rows
// are fetched through a cursor kPostgresFetchRows at a time, so no table is held whole.
// Every place the URL shows (units, places of damage, messages) has its password removed.
#pragma once

#include <memory>

#include "extractors/extractor.h"

namespace ferry {

// Rows fetched from the cursor per round trip.
constexpr int kPostgresFetchRows = 1000;

// An extractor over the database at spec.path (a postgresql:// URL); errors surface from
// Open().
std::unique_ptr<Extractor> MakePostgresExtractor(const SourceSpec& spec);

// False: a PostgreSQL source is always named by its URL, never detected from a path.
bool DetectPostgres(const std::string& path);

}  // namespace ferry
