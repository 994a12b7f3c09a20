// The statements of the PostgreSQL write path, built from a TableDef (pure, testable without a
// server). batch_writer.h says which path a batch takes; per batch, in one transaction:
//
// Direct path (rows whose identity the client found new, and the known rows of the batch):
//   COPY <schema>.<table> (columns) FROM STDIN       the new rows, straight into the table
//   COPY ferry.id_map (IdMapCopyColumns) FROM STDIN  their id-map rows
//   known rows to rewrite (overwrite, merge): COPY <staging> + the overwrite statement with
//     IdMapCheck::kTrusted (no re-check of the id map: the client's classification stands),
//     which also upserts the checkpoint; else CheckpointSql.
//
// Staged path (the fallback, and the only path before the client classified rows):
//   COPY <staging> FROM STDIN          the batch's rows, with each row's position, legacy id,
//                                      ULID and content hash
//   one statement of data-modifying CTEs, which all see the same snapshot:
//     skip       rows whose identity the id map knows are left out; the rest go in with
//                INSERT ... ON CONFLICT DO NOTHING; only the rows that went in get an id-map
//                row (a row already under that key is not the one this identity would have
//                written, so the id map must not say it is)
//     overwrite  rows whose identity is known with the same content hash are left out; the
//                rest INSERT ... ON CONFLICT (key) DO UPDATE, RETURNING (xmax = 0) to tell
//                inserts from updates; their id-map rows are upserted
//     and the checkpoint row is upserted.
//
// The staging table has neutral column names (c0.., f_ord, f_legacy_id, f_ulid, f_hash), so
// no mapping name can collide with ferry's own. Every id-map and checkpoint row is the target
// schema's (the `schema` argument, as a literal in the statement: bookkeeping.h), and every
// checkpoint carries the session's process token (TagSession). Parameters of both write statements:
// $1 user_id, $2 entity, $3 run_id, $4 checkpoint unit, $5 checkpoint entity, $6 position.
// The result is one row: (inserted, updated).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/row.h"

namespace ferry::postgres {

// Whether a write statement re-reads the id map for each staged row.
enum class IdMapCheck {
  kRecheck,  // leave out rows the id map knows (skip) or knows unchanged (overwrite)
  kTrusted,  // the rows were classified against the id map by the client: write them all
};

// The staging table's columns, in COPY order.
std::vector<std::string> StagingColumns(const TableDef& table);

// CREATE TEMP TABLE <staging> (...) ON COMMIT DELETE ROWS: made once per session and table,
// emptied by every commit.
std::string CreateStagingSql(const TableDef& table, std::string_view staging);

// The skip statement for schema.table.
std::string SkipSql(const TableDef& table, std::string_view schema, std::string_view staging);

// The overwrite statement for schema.table (merge writes its merged rows through it too).
std::string OverwriteSql(const TableDef& table, std::string_view schema, std::string_view staging,
                         IdMapCheck check = IdMapCheck::kRecheck);

// The columns of ferry.id_map a direct-path COPY fills, in COPY order.
std::vector<std::string> IdMapCopyColumns();

// The checkpoint upsert alone (of target schema `schema`), for a batch with no statement to
// carry it. Parameters: $1 user_id, $2 entity, $3 unit, $4 position, $5 run_id.
std::string CheckpointSql(std::string_view schema);

}  // namespace ferry::postgres
