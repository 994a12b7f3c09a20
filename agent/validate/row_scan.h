// The target's half of `ferry validate` that the dry run cannot see: every row of an entity's
// table that belongs to the run's users, read a page at a time (Loader::ListKeys, then
// Loader::FetchRows), counted, and each row's ULID checked: well-formed (26 canonical Crockford
// characters, docs/mapping.md "ULIDs") and holding the row's creation time (the column read
// from the entity's id.time_field) as its 48-bit time.
//
// Thread safety: uses the loader's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/row.h"
#include "base/status.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

struct RowScan {
  int64_t rows = 0;                   // the table's rows of the run's users
  int64_t ulids_checked = 0;          // rows whose ULID was read
  int64_t bad_ulids = 0;              // null, or not a well-formed ULID
  int64_t ulid_times = 0;             // well-formed, but its time is not the row's creation time
  std::vector<std::string> examples;  // the first few, "key K: ULID U: what is wrong"
  std::string unchecked;              // why ULIDs were not read, when they were not
};

// Why `ulid` (a cell of a ULID column) is not a well-formed ULID whose time is `created_ms`
// (nullopt: the row has no creation time, any time goes), or nullopt when it is; `*time_only`
// tells a wrong time from a malformed ULID.
std::optional<std::string> UlidProblem(const Cell& ulid, std::optional<int64_t> created_ms,
                                       bool* time_only);

// Scans `entity`'s table: the rows whose $user column holds one of `users` (every row when the
// entity has no $user column). REQUIRES: loader Check()ed; the table exists.
Status ScanEntityRows(const EntityMapping& entity, const std::set<std::string>& users,
                      Loader* loader, RowScan* scan);

}  // namespace ferry
