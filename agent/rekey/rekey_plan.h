// RekeyPlan: which tables `ferry rekey` gives ULID columns, read from a plan file (docs/rekey.md):
// the mapping `ferry inspect sqlite:app.db --propose-mapping` writes. Each entity is a table of
// the same name; its `id.field` is the old key, its `id.time_field` the creation column (with
// `time_format`), and each column of `type: ulid` with `references:` names a foreign key.
//
// Pure functions, thread-safe.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "transformers/mapping.h"

namespace ferry {

struct RekeyForeignKey {
  std::string column;  // in the child table: its old reference ("user_id")
  std::string parent;  // the parent table, one of the plan's
};

struct RekeyTable {
  std::string name;             // the table ("users")
  std::string key;              // its one-column primary key ("id")
  std::string creation_column;  // "" when none: the ULIDs take the time of the run
  std::string time_format;      // "iso8601" or "epoch_ms"
  std::vector<RekeyForeignKey> foreign_keys;
  // Its keys are switched (`--strategy switch` ran): the ULIDs are in the key and reference
  // columns themselves and the old values in legacy_ ones (OldColumnIn, UlidColumnIn).
  bool switched = false;
};

struct RekeyPlan {
  std::vector<RekeyTable> tables;  // parents first

  const RekeyTable* Find(const std::string& table) const;
};

// The column holding the ULID of `column`: "<column>_ulid".
std::string UlidColumnOf(const std::string& column);

// The column that keeps the old values of `column` once `--strategy switch` has given its
// name to the ULID column: "legacy_<column>" ("id" -> "legacy_id", as a migrate keeps it).
std::string LegacyColumnOf(const std::string& column);

// Where `table` holds the old values of its key or reference `column`: the column itself, or
// LegacyColumnOf(column) once the table is switched.
std::string OldColumnIn(const RekeyTable& table, const std::string& column);

// Where `table` holds the ULIDs of its key or reference `column`: UlidColumnOf(column), or the
// column itself once the table is switched.
std::string UlidColumnIn(const RekeyTable& table, const std::string& column);

// The plan's groups of related tables (the components of its foreign-key graph, a
// self-reference inside one), each a plan of its own, parents first as in `plan`; the groups
// in the order of their first table. `switch` moves the keys of one group per transaction.
std::vector<RekeyPlan> RekeyGroups(const RekeyPlan& plan);

// The plan of `mapping`. InvalidArgument naming the entity when a key, creation column or
// reference is a nested field path (a plan names columns, not record fields).
Result<RekeyPlan> PlanFromMapping(const Mapping& mapping);

// Adds to `plan` each foreign key the database's catalog declares (`catalog`: per table of the
// plan, {column, parent table, parent column}) that the plan leaves out although both tables
// are in it and the parent column is the parent's key: a self-reference (tasks.parent_id ->
// tasks), which a mapping cannot express as a reference yet. *added names each
// ("tasks.parent_id -> tasks").
void AddCatalogForeignKeys(
    const std::vector<std::pair<std::string, std::vector<std::array<std::string, 3>>>>& catalog,
    RekeyPlan* plan, std::vector<std::string>* added);

}  // namespace ferry
