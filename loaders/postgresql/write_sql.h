// The statements of the PostgreSQL write path, built from a TableDef (pure, testable without a
// server). batch_writer.h says which row goes where; per batch, in one transaction:
//
//   COPY <schema>.<table> (columns) FROM STDIN       new rows (a new identity, no row in the
//                                                    target), straight into the table
//   COPY ferry.id_map (IdMapCopyColumns) FROM STDIN  their id-map rows
//   the other rows (a known identity, an adopted row): COPY <staging> + the upsert statement,
//     which also upserts the checkpoint; else CheckpointSql.
//
// The upsert statement, data-modifying CTEs that all see the same snapshot:
//   written      the staged rows but the kept ones (f_keep: an adopted row the policy keeps),
//                INSERT ... ON CONFLICT (key) DO UPDATE (overwrite, merge) or DO NOTHING
//                (skip), RETURNING (xmax = 0) to tell inserts from updates
//   identities   every staged row's id-map row, upserted (an adopted row's ULID replaces the
//                one the id map had)
//   checkpoint   the batch's checkpoint row, upserted.
// The client decided every row against the target's row beforehand, so nothing here re-reads
// the id map or compares rows.
//
// The staging table has neutral column names (c0.., f_ord, f_legacy_id, f_ulid, f_hash,
// f_keep), so no mapping name can collide with ferry's own. Every id-map and checkpoint row is
// the target schema's (the `schema` argument, as a literal in the statement: bookkeeping.h), and
// every checkpoint carries the session's process token (TagSession). Parameters of the upsert:
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

// The staging table's columns, in COPY order.
std::vector<std::string> StagingColumns(const TableDef& table);

// CREATE TEMP TABLE <staging> (...) ON COMMIT DELETE ROWS: made once per session and table,
// emptied by every commit.
std::string CreateStagingSql(const TableDef& table, std::string_view staging);

// The upsert statement for schema.table: `update` (overwrite, merge: merged rows are written
// through it) replaces the row under a taken key, else (skip) the row there is kept.
std::string UpsertSql(const TableDef& table, std::string_view schema, std::string_view staging,
                      bool update);

// The columns of ferry.id_map a direct-path COPY fills, in COPY order.
std::vector<std::string> IdMapCopyColumns();

// The checkpoint upsert alone (of target schema `schema`), for a batch with no statement to
// carry it. Parameters: $1 user_id, $2 entity, $3 unit, $4 position, $5 run_id.
std::string CheckpointSql(std::string_view schema);

}  // namespace ferry::postgres
