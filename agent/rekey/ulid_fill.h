// The `add` strategy's steps (docs/rekey.md), each resumable: the data is the checkpoint (a row
// whose `<key>_ulid` is NULL is not done yet), so the same command after a kill goes on where
// the last committed batch left off.
//
// Every batch is one short transaction of at most `batch_size` rows: the application's reads
// and writes wait at most one batch.
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

// The milliseconds since the epoch of a creation-column value read as text: an RFC 3339
// date-time (also PostgreSQL's "2022-01-01 00:00:00.123+00") for "iso8601", an integer for
// "epoch_ms"; nullopt when it is neither.
std::optional<int64_t> CreationMillis(const std::string& text, const std::string& format);

// The audit-log action under which a rekey run records, in the transaction that adds them, the
// columns it added (detail: one "table<TAB>column" a line): what rolling the run back drops.
inline constexpr char kRekeyColumnAction[] = "rekey column added";

// Adds `<key>_ulid` to each table and `<fk>_ulid` for each foreign key where missing, in one
// transaction that records them for run `run_id` (kRekeyColumnAction). *added lists the columns
// added
// ("users.id_ulid").
Status AddUlidColumns(RekeySql& sql, const RekeyPlan& plan, const std::string& run_id,
                      std::vector<std::string>* added);

struct KeyFill {
  int64_t filled = 0;     // rows given a ULID by this call
  int64_t timed_now = 0;  // of those, rows whose creation time was missing or unreadable
  int64_t batches = 0;
};

// Gives every row of `table` without one a ULID timed by its creation column, in batches
// (FaultPoint "rekey.batch_committed" after each commit).
Status FillKeyUlids(RekeySql& sql, const RekeyTable& table, int batch_size, KeyFill* fill);

// Sets `<fk>_ulid` of each row of `table` whose reference names a parent row to that row's
// ULID, in batches of the child's key. Orphans stay NULL (VerifyRekey names them).
Status FillForeignKeyUlids(RekeySql& sql, const RekeyPlan& plan, const RekeyTable& table,
                           const RekeyForeignKey& key, int batch_size, int64_t* batches);

struct RekeyOrphan {
  std::string table;
  std::string column;
  std::string key;    // the child row's key
  std::string value;  // the reference that names no parent row
};

// A row that breaks the result, named so that it can be found: its table, the column, the
// row's key and the value the column holds ("NULL" for none), and what is wrong with it.
struct RekeyFinding {
  std::string table;
  std::string column;
  std::string key;
  std::string value;
  std::string what;  // "not a well-formed ULID", "not the ULID of parent row 7 (01H...)", ...
};

struct RekeyVerification {
  int64_t rows = 0;                    // in every table of the plan
  int64_t orphans = 0;                 // references naming no parent row (all counted)
  std::vector<RekeyOrphan> examples;   // the first 5 per foreign key
  std::vector<std::string> problems;   // what breaks the result; empty: verified
  std::vector<RekeyFinding> findings;  // the first 5 rows of each problem
};

// Checks the result: every row has a well-formed, unique ULID whose time is its creation
// time, every reference to an existing parent carries that parent's ULID, none else does. A
// switched table (RekeyTable::switched) is read under its switched names: its rows are named
// by their ULID key, and a row without an old reference (inserted by ULID since the switch)
// must name a parent row by its ULID.
Status VerifyRekey(RekeySql& sql, const RekeyPlan& plan, RekeyVerification* out);

}  // namespace ferry
