// The COPY texts (text format) of a batch (batch_writer.h): new rows for the table, their
// id-map rows, and the other rows for the staging table.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry::postgres {

struct DirectCopyText {
  std::string table;   // new rows (neither known nor adopted): the table's columns
  std::string id_map;  // their id-map rows: write_sql.h's IdMapCopyColumns
  // The other rows (known or adopted), one line each: the table's columns, then its position in
  // the batch, legacy id, ULID, content hash and keep_row (write_sql.h's StagingColumns).
  std::string staged;
  int64_t new_rows = 0;
  int64_t staged_rows = 0;
};

// The batch's COPY texts. `run_id`, `now` (a timestamptz text) and `schema` fill the id-map
// rows' run_id, updated_at and target_schema. Fails naming the table, column and legacy id of a
// cell the target cannot take.
Result<DirectCopyText> BatchDirectCopyText(const WriteBatch& batch, std::string_view run_id,
                                           std::string_view now, std::string_view schema);

}  // namespace ferry::postgres
