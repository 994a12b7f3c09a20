// ColumnDigest: what a rekey run left in one of its ULID columns, summed up (the number of
// values and a hash of every key and value in key order), so that rolling the run back can tell
// whether anything wrote into the column since (docs/rekey.md, "Undoing a rekey"): dropping a
// column an application has begun to write ULIDs into would lose them.
//
// Thread safety: one thread at a time per RekeySql.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/rekey/rekey_plan.h"
#include "agent/rekey/rekey_sql.h"
#include "base/result.h"

namespace ferry {

// The audit-log action under which a rekey run records, at its end, the digests of every
// ULID column of its plan (detail: FormatDigests).
inline constexpr char kRekeyDigestAction[] = "rekey columns filled";

struct ColumnDigest {
  std::string table;
  std::string key;     // the table's key, in whose order the values are hashed
  std::string column;  // a <key>_ulid or <fk>_ulid column
  int64_t values = 0;  // rows where it is not NULL
  std::string hash;    // FNV-1a 64 (hex) of "key\tvalue\n" of those rows, in key order

  bool operator==(const ColumnDigest&) const = default;
};

// Reads every non-NULL value of `column` of `table`, in key order, into *out.
Status DigestColumn(RekeySql& sql, const RekeyTable& table, const std::string& column,
                    ColumnDigest* out);

// Digests every ULID column of `plan` (<key>_ulid and each <fk>_ulid) and records them for
// run `run_id` under kRekeyDigestAction, in one transaction.
Status RecordDigests(RekeySql& sql, const RekeyPlan& plan, const std::string& run_id);

// One digest a line: table, key, column, values and hash separated by tabs.
std::string FormatDigests(const std::vector<ColumnDigest>& digests);

// The digests of FormatDigests' text; a line that is not one is passed over.
std::vector<ColumnDigest> ParseDigests(const std::string& detail);

}  // namespace ferry
