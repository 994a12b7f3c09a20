// NextKeyBatch: how every step of `ferry rekey` pages a table (docs/rekey.md, "What a run
// does"): the next `limit` rows in the order of the table's one-column key, after the last key
// the previous page ended with. Keyset paging reads only the rows it returns through the key's
// index, so a page costs the same at the end of a table as at its start.
//
// Thread safety: one thread at a time per RekeySql.
#pragma once

#include <optional>
#include <string>

#include "agent/rekey/rekey_plan.h"
#include "agent/rekey/rekey_sql.h"
#include "base/result.h"

namespace ferry {

struct KeyBatchQuery {
  const RekeyTable* table = nullptr;
  std::string columns;  // SQL expressions selected after the key ("" for none), comma-separated
  std::string where;    // an SQL condition the rows must meet too ("" for none)
  int limit = 1000;
};

// Reads into *rows the next query.limit rows of the table whose key is greater than `after`
// (from the first row when nullopt): column 0 is the key as text, then query.columns. Fewer
// than query.limit rows: the table has no more.
Status NextKeyBatch(RekeySql& sql, const KeyBatchQuery& query,
                    const std::optional<std::string>& after, TextRows* rows);

}  // namespace ferry
