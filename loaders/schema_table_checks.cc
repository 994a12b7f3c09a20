// schema_history.h, the part that decides a wanted table before anything is written: the steps
// it still needs, and the refusals (pending evolution, duplicate rows under a key to add).
#include <string>
#include <vector>

#include "loaders/schema_history.h"

namespace ferry {

bool NeedsPlan(const std::vector<HistoryRow>& history, const WantedTable& want,
               SameTableName same_name) {
  const HistoryRow* newest = FindNewest(history, want, same_name);
  return newest == nullptr || newest->checksum != want.checksum;
}

void PlanTable(const std::vector<HistoryRow>& history, const ExistingTable* existing,
               SameTableName same_name, SameColumnName same_column,
               const std::function<std::string(const TableDef&)>& checksum_of, WantedTable* want) {
  want->plan = EvolutionPlan();
  want->step_checksums.clear();
  want->base_checksum = want->checksum;
  const HistoryRow* base = FindRecorded(history, *want, same_name);
  const HistoryRow* newest = FindNewest(history, *want, same_name);
  if (existing == nullptr || (base != nullptr && newest->checksum == want->checksum)) return;
  bool adopting = base == nullptr;
  bool created = base != nullptr && !IsAdoption(base->description);
  want->plan =
      PlanEvolution(*existing, *want->table, want->quoted_name, adopting, created, same_column);
  for (const EvolutionStep& step : want->plan.steps) {
    want->step_checksums.push_back(checksum_of(step.after));
  }
  if (adopting && !want->plan.steps.empty()) want->base_checksum = checksum_of(want->plan.before);
}

std::vector<SchemaMigration> PendingSteps(const WantedTable& want) {
  std::vector<SchemaMigration> pending;
  if (!want.plan.refusal.empty()) return pending;
  for (size_t i = 0; i < want.plan.steps.size(); ++i) {
    SchemaMigration step;
    step.description = EvolveTableDescription(want.quoted_name, *want.table, want.plan.steps[i]);
    step.table = want.quoted_name;
    step.checksum = want.step_checksums[i];
    step.exists = true;
    step.state = SchemaMigration::State::kPending;
    pending.push_back(std::move(step));
  }
  return pending;
}

Status RefusePendingEvolution(const std::vector<HistoryRow>& history, const WantedTable& want,
                              SameTableName same_name) {
  if (want.plan.steps.empty() || !want.plan.refusal.empty()) return Status::OK();
  std::string steps;
  for (const EvolutionStep& step : want.plan.steps) {
    steps += (steps.empty() ? "" : "; ") + StepText(step);
  }
  const HistoryRow* newest = FindNewest(history, want, same_name);
  if (newest == nullptr) {
    return Status::InvalidArgument(
        "table " + want.quoted_name + " exists in the target without what the mapping declares (" +
        steps +
        "): `ferry schema up` adopts it and adds that, each a recorded migration, once "
        "the rows allow it. `ferry schema status` lists the steps");
  }
  return Status::InvalidArgument(
      "the mapping changed table " + want.quoted_name + " since migration " +
      std::to_string(newest->version) + " (recorded checksum " + newest->checksum +
      ", the mapping now renders " + want.checksum + "): run `ferry schema up`, which applies " +
      "the change without dropping the table or its rows (" + steps +
      "). `ferry schema status` lists the steps");
}

namespace {

// OK when the rows allow each unique key `want`'s plan adds; else the refusal naming them.
Status RefuseDuplicates(const WantedTable& want, const TableChecks& checks) {
  for (const EvolutionStep& step : want.plan.steps) {
    if (step.kind != EvolutionStep::Kind::kAddUniqueKey) continue;
    FERRY_ASSIGN_OR_RETURN(std::vector<std::string> duplicates,
                           checks.duplicate_keys(*want.table, step.key));
    if (!duplicates.empty()) {
      return Status::InvalidArgument(DuplicateKeyRefusal(want.quoted_name, step.key, duplicates));
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckWantedTable(const std::vector<HistoryRow>& history, const WantedTable& want,
                        SameTableName same_name, const TableChecks& checks, bool evolving) {
  FERRY_RETURN_IF_ERROR(RefuseDrift(TableMigration(want, FindNewest(history, want, same_name))));
  if (!evolving) FERRY_RETURN_IF_ERROR(RefusePendingEvolution(history, want, same_name));
  if (!want.exists) return Status::OK();
  // A recorded table with steps is held to its plan instead; an adoption's missing unique keys
  // and indexes are its steps, and what no step can add refuses the adoption.
  bool recorded = FindRecorded(history, want, same_name) != nullptr;
  if (!recorded && !want.plan.refusal.empty()) {
    return Status::InvalidArgument(want.plan.refusal);
  }
  if (!recorded || want.plan.steps.empty()) {
    FERRY_RETURN_IF_ERROR(checks.adoptable(*want.table, want.plan.steps.empty()));
  }
  return evolving ? RefuseDuplicates(want, checks) : Status::OK();
}

Status AddRefusals(const std::vector<HistoryRow>& history, const std::vector<WantedTable>& wanted,
                   SameTableName same_name, const TableChecks& checks,
                   std::vector<SchemaMigration>* migrations) {
  for (const WantedTable& want : wanted) {
    bool recorded = FindRecorded(history, want, same_name) != nullptr;
    if (!want.exists || (recorded && !want.plan.refusal.empty())) continue;  // CHANGED says it
    Status verdict = Status::OK();
    if (!recorded) {
      verdict = want.plan.refusal.empty()
                    ? checks.adoptable(*want.table, /*require_unique_keys=*/false)
                    : Status::InvalidArgument(want.plan.refusal);
    }
    if (verdict.ok()) verdict = RefuseDuplicates(want, checks);
    if (verdict.ok()) continue;
    if (!verdict.IsInvalidArgument()) return verdict;
    for (SchemaMigration& migration : *migrations) {
      if (migration.in_mapping && migration.state == SchemaMigration::State::kPending &&
          migration.table == want.quoted_name) {
        migration.refusal = verdict.message();
      }
    }
  }
  return Status::OK();
}

}  // namespace ferry
