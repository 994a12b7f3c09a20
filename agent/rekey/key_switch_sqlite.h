// SQLite's half of PlanSwitch (key_switch.h): the table rebuild that moves a group's keys, and
// back. Internal to agent/rekey.
//
// Thread safety: one thread at a time per RekeySql.
#pragma once

#include <string>
#include <vector>

#include "agent/rekey/key_switch.h"

namespace ferry {

// PlanSwitch for a SQLite target (key_switch.h says what and when it refuses).
Status PlanSqliteSwitch(RekeySql& sql, const RekeyPlan& group, bool back,
                        const std::vector<SchemaObject>& saved, SwitchWork* work);

// The columns of `table` a switch renames: its key and each foreign key column.
std::vector<std::string> SwitchedColumns(const RekeyTable& table);

}  // namespace ferry
