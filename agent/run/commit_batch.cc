#include "agent/run/commit_batch.h"

#include <optional>
#include <utility>

#include "agent/run/conflict_example.h"
#include "transformers/merge_row.h"

namespace ferry {

namespace {

enum class Plan { kInsert, kSkip, kUnchanged, kUpdate, kMerge, kRejected };

struct Planned {
  Plan plan = Plan::kInsert;
  std::optional<MergeResult> merge;  // kMerge and merge-decided kUnchanged
};

void AddExample(std::vector<std::string>* examples, const std::string& id) {
  if (examples->size() < kMaxExamples) examples->push_back(id);
}

Plan PlanOf(const AssignedRecord& record, ConflictPolicy policy) {
  if (!record.known) return Plan::kInsert;
  if (policy == ConflictPolicy::kSkip) return Plan::kSkip;
  const std::string& before = record.known->content_hash;
  if (!before.empty() && before == record.identity.content_hash) return Plan::kUnchanged;
  return policy == ConflictPolicy::kOverwrite ? Plan::kUpdate : Plan::kMerge;
}

// The primary-key cells of `row`, in primary_key order.
Row KeyOf(const TableDef& table, const Row& row) {
  Row key;
  for (const std::string& column : table.primary_key) {
    key.cells.push_back(row.cells[static_cast<size_t>(table.ColumnIndex(column))]);
  }
  return key;
}

// Reads back the target's rows of the records planned kMerge and merges each into its record.
Status MergeWithTarget(const CommitContext& context, std::vector<AssignedRecord>* records,
                       std::vector<Planned>* plans) {
  const EntityMapping& entity = *context.entity;
  std::vector<size_t> indexes;
  std::vector<Row> keys;
  for (size_t i = 0; i < records->size(); ++i) {
    if ((*plans)[i].plan != Plan::kMerge) continue;
    indexes.push_back(i);
    keys.push_back(KeyOf(entity.table, (*records)[i].row));
  }
  if (indexes.empty()) return Status::OK();
  std::vector<std::optional<Row>> existing;
  FERRY_RETURN_IF_ERROR(context.loader->FetchRows(entity.table, keys, &existing));
  int timestamp_column = UpdatedColumn(entity);
  for (size_t k = 0; k < indexes.size(); ++k) {
    AssignedRecord& record = (*records)[indexes[k]];
    Planned& planned = (*plans)[indexes[k]];
    if (k >= existing.size() || !existing[k]) {
      planned.plan = Plan::kInsert;  // the id map knows it, but its row is gone
      continue;
    }
    Result<MergeResult> merged = MergeRow(entity.table, *existing[k], record.row, timestamp_column);
    if (!merged.ok()) {
      planned.plan = Plan::kRejected;
      Reject reject;
      reject.entity = entity.name;
      reject.where = record.where;
      reject.reason = "cannot merge with the row in the target: " + merged.status().message();
      FERRY_RETURN_IF_ERROR(context.reject(record, std::move(reject)));
      continue;
    }
    if (merged->unchanged) {
      planned.plan = Plan::kUnchanged;
    } else {
      record.row = std::move(merged->row);
    }
    planned.merge = std::move(merged).value();
  }
  return Status::OK();
}

}  // namespace

int UpdatedColumn(const EntityMapping& entity) {
  if (entity.updated_field.empty()) return -1;
  for (size_t i = 0; i < entity.columns.size(); ++i) {
    const ColumnMapping& column = entity.columns[i];
    if (column.source == ColumnSource::kField && column.field == entity.updated_field) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Status CommitBatch(const CommitContext& context, std::vector<AssignedRecord> records,
                   const Checkpoint& checkpoint) {
  const EntityMapping& entity = *context.entity;
  EntityCounts& counts = *context.counts;
  std::vector<Planned> plans(records.size());
  for (size_t i = 0; i < records.size(); ++i) plans[i].plan = PlanOf(records[i], context.policy);
  FERRY_RETURN_IF_ERROR(MergeWithTarget(context, &records, &plans));

  WriteBatch batch;
  batch.table = &entity.table;
  batch.entity = entity.name;
  batch.user_id = *context.user_id;
  batch.policy = context.policy;
  batch.checkpoint = checkpoint;
  BatchOutcome predicted;  // what the write would do, for a dry run
  for (size_t i = 0; i < records.size(); ++i) {
    AssignedRecord& record = records[i];
    const std::string& id = record.identity.legacy_id;
    const MergeResult* merge = plans[i].merge ? &*plans[i].merge : nullptr;
    switch (plans[i].plan) {
      case Plan::kRejected:
        continue;
      case Plan::kSkip:
        ++predicted.skipped;
        AddExample(&counts.examples_skipped, id);
        counts.AddConflictExample(MakeConflictExample(entity, id, "skipped", nullptr));
        continue;
      case Plan::kUnchanged:
        ++counts.unchanged;
        counts.AddConflictExample(MakeConflictExample(entity, id, "unchanged", merge));
        continue;
      case Plan::kInsert:
        ++predicted.inserted;
        AddExample(&counts.examples_inserted, id);
        break;
      case Plan::kUpdate:
        ++predicted.updated;
        AddExample(&counts.examples_updated, id);
        counts.AddConflictExample(MakeConflictExample(entity, id, "updated", nullptr));
        break;
      case Plan::kMerge:
        ++predicted.merged;
        counts.AddConflictExample(MakeConflictExample(entity, id, "merged", merge));
        break;
    }
    batch.rows.push_back(std::move(record.row));
    batch.identities.push_back(std::move(record.identity));
  }
  counts.skipped += predicted.skipped;  // decided here, never sent to the loader
  BatchOutcome outcome = predicted;
  outcome.skipped = 0;
  if (!context.dry_run && !batch.rows.empty()) {
    FERRY_ASSIGN_OR_RETURN(outcome, context.loader->Write(batch));
  }
  counts.inserted += outcome.inserted;
  counts.skipped += outcome.skipped;
  if (context.policy == ConflictPolicy::kMerge) {
    // Every update of a merge batch is a merged row, however the loader counts it.
    counts.merged += outcome.merged + outcome.updated;
  } else {
    counts.updated += outcome.updated;
    counts.merged += outcome.merged;
  }
  return Status::OK();
}

}  // namespace ferry
