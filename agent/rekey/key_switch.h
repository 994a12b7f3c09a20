// The `switch` strategy's last step (docs/rekey.md, "Switching the keys"): once a group of
// related tables (RekeyGroups) has its ULID columns filled and verified, its primary and
// foreign keys move to them in one transaction: every constraint and index on an old key
// column is dropped, each old column X is renamed legacy_X and X_ulid is renamed X, and the
// constraints and indexes are recreated from their own definitions under the same names (the
// definitions name columns, so the same text now means the ULID columns). Switching back
// (rollback) is the same with the renames reversed.
//
// PostgreSQL: ALTER TABLE in the transaction (its catalog gives every definition back as
// text). SQLite, which cannot move a primary key: each table of the group is rebuilt in the
// transaction (the documented 12-step rebuild: the old table renamed away with
// legacy_alter_table on, so that no other table's REFERENCES follows it; the new one created
// from the catalog's pragmas under the new names; the rows copied; the old one dropped; its
// indexes and triggers created again from their own text), then `pragma foreign_key_check` must
// find no violation the switch added, or the transaction rolls back. The tables', indexes' and
// triggers' text before the switch goes into the audit record, so that switching back recreates
// them byte for byte.
//
// Thread safety: one thread at a time per RekeySql.
#pragma once

#include <string>
#include <vector>

#include "agent/rekey/rekey_plan.h"
#include "agent/rekey/rekey_sql.h"
#include "agent/rekey/ulid_fill.h"
#include "base/result.h"

namespace ferry {

// The audit-log action under which a switch records, in its own transaction, the group it
// switched (detail: FormatSwitchedGroup): what rolling the run back switches back.
inline constexpr char kRekeySwitchAction[] = "rekey keys switched";

// Whether `group` is switched already: *switched when every table has legacy_<key> and no
// <key>_ulid (and likewise for each foreign key column). InvalidArgument when a table is
// half switched, or a legacy_ column a switch would create is there already.
Status SwitchStateOf(RekeySql& sql, const RekeyPlan& group, bool* switched);

// A row of SQLite's sqlite_master: a table, index or trigger and the text that creates it.
struct SchemaObject {
  std::string type;
  std::string name;
  std::string sql;

  bool operator==(const SchemaObject&) const = default;
};

// What switching `group` (or, with `back`, switching it back) takes, read from the catalog.
struct SwitchWork {
  std::string statements;            // the whole transaction, one statement a line
  int constraints = 0;               // constraints dropped and recreated under their names
  int indexes = 0;                   // indexes dropped and recreated under their names
  std::vector<SchemaObject> before;  // SQLite, forward: the group's schema as it is now
};

// The statements of one group's switch. InvalidArgument (before anything is written) for a
// foreign key into the group from a table outside it, a view on one of its tables, or (SQLite)
// a table whose definition the rebuild cannot carry over (CHECK, COLLATE, generated columns,
// AUTOINCREMENT, WITHOUT ROWID, STRICT, DEFERRABLE, a named CONSTRAINT). Switching a SQLite group
// back needs `saved`, the schema its switch recorded (ParseSwitchedGroup).
Status PlanSwitch(RekeySql& sql, const RekeyPlan& group, bool back, SwitchWork* work,
                  const std::vector<SchemaObject>& saved = {});

// Switches `group` in one transaction that also records it for run `run_id`
// (kRekeySwitchAction); FaultPoint "rekey.switch_before_commit" just before its commit.
Status SwitchGroup(RekeySql& sql, const RekeyPlan& group, const std::string& run_id,
                   SwitchWork* work);

// One line per table: table, key and each foreign key column, separated by tabs; then one
// line per object of `schema`: "#schema", type, name and its text (a backslash, tab and
// newline in it escaped as \\, \t, \n).
std::string FormatSwitchedGroup(const RekeyPlan& group,
                                const std::vector<SchemaObject>& schema = {});

// The group of FormatSwitchedGroup's text (parents left empty), and its schema into *schema
// when given.
RekeyPlan ParseSwitchedGroup(const std::string& detail,
                             std::vector<SchemaObject>* schema = nullptr);

// For a switched group: counts its rows and names each orphan, a row whose legacy_<fk> is
// set while <fk> is NULL (the old reference named no parent row), as VerifyRekey does.
Status VerifySwitched(RekeySql& sql, const RekeyPlan& group, RekeyVerification* out);

}  // namespace ferry
