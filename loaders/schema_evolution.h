// Evolving a recorded mapping table to a changed mapping without dropping it (issue 16 item 6,
// docs/schema-migrations.md "How a mapping change becomes a migration"): the part both targets
// share. PlanEvolution compares the table as the target's catalog has it with the table the
// mapping now renders and answers with steps ferry can apply safely (ALTER TABLE: add a
// nullable or defaulted column, add a unique key or an index, widen a ulid column to text),
// or with a refusal that names each unsafe change and the manual steps. Only the SQL of a step
// is the target's.
//
// Each applied step is a history row `evolve table "tasks" (mapping "m", entity "e"): add
// column "note"`, whose checksum is that of the CREATE statements (table and indexes) ferry
// would render for the table as the step leaves it: the newest row of a table always says which
// shape it has, and the last step of a plan records the mapping's own checksum.
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/row.h"

namespace ferry {

// The bit of `type` in ExistingColumn's masks.
constexpr unsigned TypeBit(ColumnType type) { return 1u << static_cast<unsigned>(type); }

// A column as the target's catalog describes it, in ferry's terms.
struct ExistingColumn {
  std::string name;
  std::string declared_type;  // as the catalog spells it, for messages ("" on SQLite: none)
  // The types whose every value ferry writes reads back exactly (the adoption rule).
  unsigned accepts = 0;
  // The types for which ferry itself would declare the column so (bigint: integer; text with
  // the ULID CHECK: ulid). A table ferry created is held to these.
  unsigned declares = 0;
  bool not_null = false;
  bool has_default = false;  // or filled by the target itself (identity, generated, rowid)
};

// An index as the target's catalog describes it: full (non-partial) and on columns only.
struct ExistingIndex {
  std::string name;
  std::vector<std::string> columns;  // in index order
};

struct ExistingTable {
  std::vector<ExistingColumn> columns;
  // The primary key and every full (non-partial, column-only) unique constraint or index.
  std::vector<std::vector<std::string>> unique_keys;
  // Every full, column-only index, unique or not (a unique one serves as an index too).
  std::vector<ExistingIndex> indexes = {};
};

struct EvolutionStep {
  enum class Kind {
    kAddColumn,     // ALTER TABLE ADD COLUMN, nullable or with a DEFAULT; reverted by DROP COLUMN
    kAddUniqueKey,  // CREATE UNIQUE INDEX; reverted by DROP INDEX
    kAddIndex,      // CREATE INDEX (a plain one, `indexes:`); reverted by DROP INDEX
    kWidenToText,   // a ulid column becomes text (PostgreSQL drops its ULID CHECK)
    kRecordShape,   // the table already is what the mapping renders: only recorded
  };
  Kind kind = Kind::kRecordShape;
  std::string column;                   // kAddColumn, kWidenToText
  ColumnType type = ColumnType::kText;  // kAddColumn: the column's type
  std::vector<std::string> key;         // kAddUniqueKey
  TableDef after;           // the table as the mapping renders it once this step is applied
  bool not_null = false;    // kAddColumn: NOT NULL (then default_value is set)
  Cell default_value = {};  // kAddColumn: its DEFAULT, which the rows already there take
  IndexDef index = {};      // kAddIndex, its name resolved (IndexName)
};

struct EvolutionPlan {
  std::vector<EvolutionStep> steps;  // in the order to apply them
  TableDef before;                   // the table the first step starts from
  std::string refusal;               // non-empty: what ferry cannot do, and the manual steps
};

// Compares identifiers as the target does.
using SameColumnName = bool (*)(const std::string& a, const std::string& b);

// The plan that takes `existing` to `wanted`. `adopting`: the table is not recorded yet and
// only unique keys are planned (CheckAdoptable decides the rest); otherwise the recorded table's
// checksum differs from the mapping's, and every difference is a step or a refusal (a recorded
// table with no difference gets one kRecordShape step). `created` (a table ferry created, not
// adopted) holds the columns to the types ferry declares and refuses a column or unique key
// the mapping dropped; an adopted table's extra nullable columns and keys are the
// application's, and left alone. `quoted_name` is for messages.
EvolutionPlan PlanEvolution(const ExistingTable& existing, const TableDef& wanted,
                            const std::string& quoted_name, bool adopting, bool created,
                            SameColumnName same);

// What a step does, as its description ends: `add column "note" (text)`, `add column "rank"
// (integer) not null default 3` (the default as JSON text: a string quoted, a timestamp as RFC
// 3339 text, a json column's value as it is), `add unique key ("user_id", "legacy_id")`, `add
// index "ferry_tasks_status_idx" ("status")`, `widen column "id" from ulid to text`, `record
// the table as the mapping renders it`.
std::string StepText(const EvolutionStep& step);

// The step an `evolve table ...` description (EvolveTableDescription) names, without `after`;
// nullopt when it is no evolution or unreadable.
std::optional<EvolutionStep> ParseStep(std::string_view description);

// The name ferry gives the unique index of `key` on `table` (at most 63 bytes).
std::string UniqueIndexName(const std::string& table, const std::vector<std::string>& key);

// The name of `index` of `table`: the mapping's, else `ferry_<table>_<columns>_idx` (at most
// 63 bytes).
std::string IndexName(const TableDef& table, const IndexDef& index);

// `default_value` as a step's description writes it (StepText); "" for null.
std::string DefaultText(const Cell& default_value, ColumnType type);

// InvalidArgument text: `key` cannot be added to `quoted_name` because the rows show
// `duplicates` (each "(v1, v2) in 3 rows", data escaped for a terminal) more than once.
std::string DuplicateKeyRefusal(const std::string& quoted_name, const std::vector<std::string>& key,
                                const std::vector<std::string>& duplicates);

}  // namespace ferry
