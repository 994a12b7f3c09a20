// Reading rows of a target table back as Rows, by primary key (Loader::FetchRows).
//
// Each column is selected in a form that converts back to the Cell the loader was given:
// timestamps as epoch milliseconds, JSON as its text (jsonb's normal form: keys sorted by
// length then bytes, one space after ':' and ','), booleans, bigints and doubles as such.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/row.h"
#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// The SELECT reading schema.table's rows whose key is in the text[] parameters $1..$k (one
// array per key column, same length; row i of the arrays is key i), with the key's position
// (1-based) as the last column. Pure; exposed for tests.
std::string FetchRowsSql(const TableDef& table, const std::string& schema);

// For each key (the key cells in primary_key order), the row under it, or nullopt. `out` is
// resized to keys.size(). REQUIRES: the table exists.
Status FetchRows(Session* session, const TableDef& table, const std::vector<Row>& keys,
                 std::vector<std::optional<Row>>* out);

// Sets *none when schema.table holds no row whose `column` equals `value` (one index probe
// when an index leads with the column). REQUIRES: the table exists.
Status HoldsNoRowWith(Session* session, const TableDef& table, const std::string& column,
                      const Cell& value, bool* none);

// Sets *fresh when neither ferry.id_map (when `with_id_map`: of session's schema, under any
// of `entities`; none named: not read) nor any of `tables` holds a row of `user_id`, in one
// statement: NOT EXISTS per table, each one index probe. REQUIRES: every table of `tables`
// exists.
Status ProbeUser(Session* session, const std::string& user_id, bool with_id_map,
                 const std::vector<std::string>& entities, const std::vector<UserColumn>& tables,
                 bool* fresh);

}  // namespace ferry::postgres
