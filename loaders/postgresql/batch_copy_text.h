// The COPY text (text format) of a batch, for either write path (batch_writer.h): the staged
// path's one text for every row, or the direct path's three (new rows for the table, their
// id-map rows, known rows for the staging table).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry::postgres {

// The staged path's COPY text: one line per row (the table's columns, then its position in the
// batch, legacy id, ULID and content hash: write_sql.h's StagingColumns). Fails naming the
// table, column and legacy id of a cell the target cannot take.
Result<std::string> BatchCopyText(const WriteBatch& batch);

struct DirectCopyText {
  std::string table;   // rows with identity.known false: the table's columns
  std::string id_map;  // their id-map rows: write_sql.h's IdMapCopyColumns
  std::string staged;  // rows with identity.known true, as BatchCopyText (skip: none)
  int64_t new_rows = 0;
  int64_t staged_rows = 0;
};

// The direct path's COPY texts. `run_id`, `now` (a timestamptz text) and `schema` fill the
// id-map rows' run_id, updated_at and target_schema. Under the skip policy known rows are left out:
// the target keeps them. Fails as BatchCopyText.
Result<DirectCopyText> BatchDirectCopyText(const WriteBatch& batch, std::string_view run_id,
                                           std::string_view now, std::string_view schema);

}  // namespace ferry::postgres
