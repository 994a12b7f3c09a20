// ferry's schema history, the part both targets share (docs/schema-migrations.md).
//
// A target keeps one row per schema migration ferry applied to it (ferry.schema_history on
// PostgreSQL, ferry_schema_history on SQLite): version, checksum, applied_at, description.
// There are two kinds:
//   - ferry's bookkeeping tables: version 1, its description starts with "ferry bookkeeping";
//   - one per mapping table, numbered in the order applied (2, 3, ...), described as
//     `create table "tasks" (mapping "taskapp", entity "tasks")`, its checksum taken over the
//     CREATE statement ferry renders for that table; a table that existed before ferry and
//     was adopted is described `adopt table "tasks" (...)`, with the same checksum: `schema
//     down` forgets an adoption and never drops that table;
//   - one per step that evolved a recorded table to a changed mapping without dropping it
//     (loaders/schema_evolution.h), `evolve table "tasks" (...): add column "note" (text)`.
// A row of none of these kinds was written by a newer ferry.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/row.h"
#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/schema_evolution.h"

namespace ferry {

// One row of the schema history, as read.
struct HistoryRow {
  int64_t version = 0;
  std::string checksum;
  std::string applied_at;
  std::string description;
};

// A mapping table as this ferry would create it in one target.
struct WantedTable {
  const TableDef* table = nullptr;
  std::vector<std::string> name;  // as the target qualifies it: {"tasks"}, {"public", "tasks"}
  std::string quoted_name;        // the same, quoted: "tasks", "public"."tasks"
  std::string checksum;           // TableChecksum of the CREATE statement
  bool exists = false;            // the table is in the target now
  // Set by PlanTable: what `schema up` still has to do to the table, beyond creating or
  // adopting it (no steps: nothing), or why it cannot (plan.refusal).
  EvolutionPlan plan;
  std::vector<std::string> step_checksums;  // of each plan step's `after`
  std::string base_checksum;                // what a pending create or adoption records
};

// Compares two qualified names the way the target compares identifiers.
using SameTableName = bool (*)(const std::vector<std::string>& a,
                               const std::vector<std::string>& b);

// Reads one "..."-quoted identifier ("" inside is one quote) from the front of *text and
// removes it; nullopt (text unchanged) when there is none or its closing quote is missing.
std::optional<std::string> TakeQuotedIdentifier(std::string_view* text);

// True for the description of a migration of ferry's bookkeeping tables.
bool IsBookkeepingMigration(std::string_view description);

// The checksum of a table's CREATE statement(s), as recorded (16 hex digits, FNV-1a 64).
std::string TableChecksum(const std::vector<std::string>& statements);

// `create table <quoted_name> (mapping "<m>", entity "<e>")`; the parenthesis lists only what
// the table knows of its mapping, and is left out when it knows nothing.
std::string CreateTableDescription(const std::string& quoted_name, const TableDef& table);

// The same, `adopt table ...`: the application's table, taken as it is (never dropped).
std::string AdoptTableDescription(const std::string& quoted_name, const TableDef& table);

// True for the description of an adopted table's migration.
bool IsAdoption(std::string_view description);

// `evolve table <quoted_name> (mapping "<m>", entity "<e>"): <StepText(step)>`.
std::string EvolveTableDescription(const std::string& quoted_name, const TableDef& table,
                                   const EvolutionStep& step);

// True for the description of an evolution step's migration.
bool IsEvolution(std::string_view description);

// True when PlanTable needs the table's catalog shape: it is not recorded, or its newest
// migration's checksum is not the mapping's.
bool NeedsPlan(const std::vector<HistoryRow>& history, const WantedTable& want,
               SameTableName same_name);

// Decides want->plan, step_checksums and base_checksum: for a recorded table whose newest
// migration's checksum differs from the mapping's, the steps that take `existing` (the
// table's catalog shape; null when it does not exist) to the mapping (PlanEvolution); for an
// unrecorded existing table, the unique keys its adoption adds. `checksum_of` renders a
// table's checksum as the target would record it.
void PlanTable(const std::vector<HistoryRow>& history, const ExistingTable* existing,
               SameTableName same_name, SameColumnName same_column,
               const std::function<std::string(const TableDef&)>& checksum_of, WantedTable* want);

// The pending migrations of want's plan (`evolve table ...`, checksummed, not numbered).
std::vector<SchemaMigration> PendingSteps(const WantedTable& want);

// OK unless `want` has evolution steps pending: InvalidArgument naming them and `ferry schema
// up`, which applies them (migrate and its dry run never alter a table).
Status RefusePendingEvolution(const std::vector<HistoryRow>& history, const WantedTable& want,
                              SameTableName same_name);

// What a target answers about one existing table, for the checks both targets share.
struct TableChecks {
  // CheckAdoptable: OK, or InvalidArgument saying why the table cannot take the rows.
  std::function<Status(const TableDef& table, bool require_unique_keys)> adoptable;
  // Up to five values of `key` more than one row holds (the target's DuplicateKeys).
  std::function<Result<std::vector<std::string>>(const TableDef& table,
                                                 const std::vector<std::string>& key)>
      duplicate_keys;
};

// The checks of one table before anything is written: not changed beyond what its plan evolves,
// not missing (RefuseDrift); unless `evolving` (`schema up`), no evolution step pending
// (RefusePendingEvolution); an existing table adoptable, and (when `evolving`) its rows
// allowing each unique key its plan adds.
Status CheckWantedTable(const std::vector<HistoryRow>& history, const WantedTable& want,
                        SameTableName same_name, const TableChecks& checks, bool evolving);

// Sets, on the pending migrations of `migrations`, why `schema up` would refuse each existing
// table of `wanted` (adoption refused, or rows sharing a unique key a step adds).
Status AddRefusals(const std::vector<HistoryRow>& history, const std::vector<WantedTable>& wanted,
                   SameTableName same_name, const TableChecks& checks,
                   std::vector<SchemaMigration>* migrations);
// The name parts a create- or adopt-table description starts with, unquoted ({"public", "tasks"}),
// or nullopt when the description is not one (or its quoting is broken).
std::optional<std::vector<std::string>> CreatedTableName(std::string_view description);

// The entity a create- or adopt-table description names (`... (mapping "m", entity "e")`), or
// nullopt.
std::optional<std::string> CreatedTableEntity(std::string_view description);

// The target's migrations, oldest first: the bookkeeping (`bookkeeping` holds its version,
// checksum and description as this ferry knows them), every recorded table migration (checked
// against `wanted` when it names one of them), then one pending migration per wanted table that
// is not recorded, in `wanted`'s order.
std::vector<SchemaMigration> PlanMigrations(const std::vector<HistoryRow>& history,
                                            const SchemaMigration& bookkeeping,
                                            const std::vector<WantedTable>& wanted,
                                            SameTableName same_name);

// A later migration of ferry's bookkeeping tables (bookkeeping 2, 3, ...), as this ferry knows it.
struct LaterBookkeeping {
  std::string description;
  std::string checksum;
};

// Adds each of `later` that `migrations` (PlanMigrations' answer) does not hold as a pending
// migration, after version 1 and after the one before it in `later`.
void AddPendingBookkeeping(const std::vector<LaterBookkeeping>& later,
                           std::vector<SchemaMigration>* migrations);

// The bookkeeping migrations of `now` that `before` (both PlanMigrations' answers, before and
// after applying the bookkeeping) did not hold as applied: what that application applied.
std::vector<SchemaMigration> NewlyAppliedBookkeeping(const std::vector<SchemaMigration>& before,
                                                     const std::vector<SchemaMigration>& now);

// The migration that created or adopted `wanted`, or null when it is not recorded.
const HistoryRow* FindRecorded(const std::vector<HistoryRow>& history, const WantedTable& wanted,
                               SameTableName same_name);

// The newest migration of `wanted` (its last evolution step, else FindRecorded), or null.
const HistoryRow* FindNewest(const std::vector<HistoryRow>& history, const WantedTable& wanted,
                             SameTableName same_name);

// Of the `wanted` tables that are recorded, the one whose newest migration (FindNewest) is the
// newest (what `ferry schema down` reverts); both null when none is recorded.
struct NewestRecorded {
  const WantedTable* wanted = nullptr;
  const HistoryRow* row = nullptr;
};
NewestRecorded FindNewestRecorded(const std::vector<HistoryRow>& history,
                                  const std::vector<WantedTable>& wanted, SameTableName same_name);

// OK when `ferry schema down` may drop `table` holding `rows` rows (none, or --force);
// InvalidArgument naming the table, its rows and the migration otherwise.
Status RefuseDropOfRows(const std::string& quoted_name, int64_t rows, int64_t version, bool force);

// The audit-log entry of a `ferry schema down` (action "schema down"; no run: run id ""):
// which migration, which table and how many rows went, and whose id map was cleared.
std::string RevertAuditDetail(int64_t version, const std::string& quoted_name, bool existed,
                              int64_t rows, const std::string& entity);

// The audit-log entry of a `ferry schema down` that reverted an adoption: the record went, the
// table and its rows stayed.
std::string ForgetAdoptionAuditDetail(int64_t version, const std::string& quoted_name);

// The audit-log entry of a `ferry schema down` that reverted an evolution step.
std::string RevertStepAuditDetail(int64_t version, const std::string& quoted_name,
                                  const EvolutionStep& step);

// OK when `ferry schema down` may drop a column holding `values` non-null values (none, or
// --force); InvalidArgument naming the column, its values and the migration otherwise.
Status RefuseDropOfValues(const std::string& quoted_name, const std::string& column, int64_t values,
                          int64_t version, bool force);

// The migration of `wanted` given its newest history row (null: pending): applied when the
// row's checksum is the mapping's, or when want's plan has steps for the difference; CHANGED
// (refusal: the plan's) when it cannot evolve; MISSING when the table is gone.
SchemaMigration TableMigration(const WantedTable& wanted, const HistoryRow* recorded);

// OK for an applied or pending migration; InvalidArgument for a table the mapping changed in a
// way ferry cannot apply, Corruption for a missing table or changed bookkeeping, saying which
// table and version, both checksums and what to do.
Status RefuseDrift(const SchemaMigration& migration);

// The next free version: one more than the highest recorded (at least 2: 1 is the bookkeeping).
int NextVersion(const std::vector<HistoryRow>& history);

}  // namespace ferry
