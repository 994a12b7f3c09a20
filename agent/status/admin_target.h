// Opening the target of an administration command (`ferry status`, `ferry unlock`): --target,
// else DATABASE_URL, else sqlite:ferry.db, as `ferry migrate` resolves it.
//
// Thread safety: pure but for the environment it reads.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

struct AdminTarget {
  std::unique_ptr<Loader> loader;  // past Check()
  std::string display;             // the target as it may be printed: no password
};

// The target of `flag_value`, checked. With `read_only` nothing is created or written (a
// missing SQLite file reads as an empty target).
Result<AdminTarget> OpenAdminTarget(const std::string& flag_value, bool read_only);

}  // namespace ferry
