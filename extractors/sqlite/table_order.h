// The order in which tables can be loaded: every parent before its children, as the foreign
// keys of a catalog say. A self-reference (tasks.parent_id -> tasks) does not constrain the
// order (its rows need two passes); a cycle between tables is reported, and its tables follow
// the others in name order.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "extractors/sqlite/catalog.h"

namespace ferry::sqlite_source {

struct TableOrder {
  std::vector<std::string> tables;  // every table of the catalog, parents first
  // The tables that cannot be ordered: in a cycle of foreign keys between different tables
  // ("a -> b -> a") or below one, in name order; empty when there is none.
  std::vector<std::string> in_cycles;
};

// Parents first; among tables that are ready together, name order (so the order is stable).
// A foreign key to a table the catalog does not hold is ignored here (inspect reports it).
TableOrder ParentsFirst(const Catalog& catalog);

// The order in which an extractor yields the tables to load: parents first as above, but among
// tables ready together the one that heads the heaviest chain first: its own rows (`rows`, by
// table name; an estimate is enough, a table it lacks counts 0) plus those of its heaviest
// child's chain, then name order. The tables of a database load on several workers where the
// foreign keys allow (agent/run/unit_pool.h), which take them in this order: in name order the
// largest table of an app's database (its tasks, a child of users) came last and loaded alone
// while the other workers idled; this way the longest chain starts first and the small tables
// fill in beside it. Cycles as in ParentsFirst.
TableOrder LoadOrder(const Catalog& catalog, const std::map<std::string, int64_t>& rows);

}  // namespace ferry::sqlite_source
