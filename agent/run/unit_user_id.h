// UnitUserId: the user one unit of work (a dump, a profile, a record file) is loaded as, from
// --user-id, the unit's file name (--user-id-from filename) or a key it holds
// (--user-id-from key:NAME).
//
// A key that is missing, empty, or holds no usable id (null, true/false, an object, an array,
// only whitespace) in one unit is InvalidArgument naming the unit: such a unit is never
// loaded under a made-up user ("", "null"), where every such unit would end up merged. Two
// selected origins whose NAME keys disagree are refused the same way.
//
// Pure function (it reads the unit's entries), thread-safe on distinct units.
#pragma once

#include <string>

#include "agent/run/migrate_options.h"
#include "agent/run/unit_entries.h"
#include "base/result.h"
#include "extractors/entry.h"

namespace ferry {

// Fails (IOError) too when a spilled entry cannot be read back (agent/run/unit_entries.h).
Result<std::string> UnitUserId(const MigrateOptions& options, const UnitEntries& entries);

}  // namespace ferry
