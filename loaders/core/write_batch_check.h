// The shape every target checks a WriteBatch for before writing it: a table, one identity per
// row, one cell per column in each row. A batch that fails it is the run's bug, not the data's.
//
// Pure function, thread-safe.
#pragma once

#include "base/status.h"
#include "loaders/loader.h"

namespace ferry {

// OK when `batch` has a table, as many identities as rows, and every row as many cells as the
// table has columns; else Internal naming the table (and the row's legacy id).
Status CheckWriteBatch(const WriteBatch& batch);

}  // namespace ferry
