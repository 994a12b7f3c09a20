// The order in which tables can be loaded: every parent before its children, as the foreign
// keys of a catalog say. A self-reference (tasks.parent_id -> tasks) does not constrain the
// order (its rows need two passes); a cycle between tables is reported, and its tables follow
// the others in name order.
//
// Pure functions, thread-safe.
#pragma once

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

}  // namespace ferry::sqlite_source
