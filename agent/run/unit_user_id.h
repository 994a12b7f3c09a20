// UnitUserId: the user one unit of work (a dump, a profile, a record file) is loaded as, from
// --user-id, the unit's file name (--user-id-from filename) or a key it holds
// (--user-id-from key:NAME).
//
// A key that is missing, empty, or holds no usable id (null, true/false, an object, an array,
// only whitespace) in one unit is InvalidArgument naming the unit: such a unit is never
// loaded under a made-up user ("", "null"), where every such unit would end up merged. Two
// selected origins whose NAME keys disagree are refused the same way.
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "base/result.h"
#include "extractors/entry.h"

namespace ferry {

Result<std::string> UnitUserId(const MigrateOptions& options, const std::vector<Entry>& entries);

}  // namespace ferry
