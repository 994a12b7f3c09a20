// The dangling-reference half of `ferry validate`: for each reference column of the mapping
// (a column holding its parent entity's ULID), the rows of the target whose reference names
// no row of the parent's table, whoever wrote them (Loader::FindDanglingReferences).
//
// Thread safety: uses the loader's thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

struct DanglingFinding {
  std::string entity;                       // the child entity
  std::string column;                       // its reference column
  std::string parent;                       // the entity it references
  int64_t total = 0;                        // rows whose reference names no parent row
  std::vector<DanglingReference> examples;  // the first few, by key
};

// The findings (only columns with dangling rows) over the entities of `loaded` (the tables a
// run loaded: a reference is checked when both its entity and its parent are among them).
Status FindDangling(const Mapping& mapping, const std::set<std::string>& loaded, Loader* loader,
                    std::vector<DanglingFinding>* findings);

}  // namespace ferry
