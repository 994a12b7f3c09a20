#include "agent/run/commit_batch.h"

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "agent/run/conflict_example.h"
#include "agent/run/existing_rows.h"
#include "transformers/merge_row.h"

namespace ferry {

namespace {

enum class Plan { kInsert, kSkip, kUnchanged, kUpdate, kMerge, kRejected };

struct Planned {
  Plan plan = Plan::kInsert;
  std::optional<MergeResult> merge;  // kMerge and merge-decided kUnchanged
  // The report's example of this conflict with its values, made while both rows are at hand;
  // only for the few examples the report keeps (ExampleBudget).
  std::optional<ConflictExample> example;
};

// How many more conflict examples of each outcome this batch may make with values: the report
// keeps kMaxExamples per outcome, so rows are rendered only for those it may keep.
class ExampleBudget {
 public:
  explicit ExampleBudget(const EntityCounts& counts) : counts_(counts) {}
  // True, and counts it, when one more example of `outcome` may be kept.
  bool Take(const std::string& outcome) {
    size_t& taken = taken_[outcome];
    if (counts_.ConflictExamplesOf(outcome) + taken >= kMaxExamples) return false;
    ++taken;
    return true;
  }

 private:
  const EntityCounts& counts_;
  std::map<std::string, size_t> taken_;
};

void AddExample(std::vector<std::string>* examples, const std::string& id) {
  if (examples->size() < kMaxExamples) examples->push_back(id);
}

bool Writes(Plan plan) {
  return plan == Plan::kInsert || plan == Plan::kUpdate || plan == Plan::kMerge;
}

// The plan of a record whose row in the target is `existing` (none: it is written).
Plan PlanOf(const CommitContext& context, ConflictPolicy policy, const AssignedRecord& record,
            const std::optional<Row>& existing) {
  if (!existing) return Plan::kInsert;
  switch (policy) {
    case ConflictPolicy::kSkip:
      return Plan::kSkip;
    case ConflictPolicy::kOverwrite:
      return RowsEqual(context.entity->table, *existing, record.row) ? Plan::kUnchanged
                                                                     : Plan::kUpdate;
    case ConflictPolicy::kMerge:
      return Plan::kMerge;  // decided by MergeWithTarget
  }
  return Plan::kUpdate;
}

Status RejectRecord(const CommitContext& context, const AssignedRecord& record,
                    std::string reason) {
  Reject reject;
  reject.entity = context.entity->name;
  reject.where = record.where;
  reject.reason = std::move(reason);
  return context.reject(record, std::move(reject));
}

// Merges each record planned kMerge into the target's row.
Status MergeWithTarget(const CommitContext& context, std::vector<AssignedRecord>* records,
                       const std::vector<ExistingRow>& existing, ExampleBudget* budget,
                       std::vector<Planned>* plans) {
  const EntityMapping& entity = *context.entity;
  int timestamp_column = UpdatedColumn(entity);
  for (size_t i = 0; i < records->size(); ++i) {
    Planned& planned = (*plans)[i];
    if (planned.plan != Plan::kMerge) continue;
    AssignedRecord& record = (*records)[i];
    Result<MergeResult> merged =
        MergeRow(entity.table, *existing[i].row, record.row, timestamp_column);
    if (!merged.ok()) {
      planned.plan = Plan::kRejected;
      FERRY_RETURN_IF_ERROR(
          RejectRecord(context, record,
                       "cannot merge with the row in the target: " + merged.status().message()));
      continue;
    }
    const char* outcome = merged->unchanged ? "unchanged" : "merged";
    if (budget->Take(outcome)) {
      ConflictRows rows{&*existing[i].row, &record.row, &merged->row};
      planned.example =
          MakeConflictExample(entity, record.identity.legacy_id, outcome, &*merged, &rows);
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

// What children of this unit reference for `record` from now on: `ulid` (empty: nothing).
Status SetParentUlid(const CommitContext& context, const AssignedRecord& record, std::string ulid) {
  if (context.parents == nullptr) return Status::OK();
  const std::string& entity = context.entity->name;
  FERRY_ASSIGN_OR_RETURN(std::optional<std::string> held,
                         context.parents->Find(entity, record.identity.legacy_id));
  if (!held) return Status::OK();
  // A row no longer there, which held children of this unit may still reference.
  if (ulid.empty() && !held->empty() && context.refused_parents != nullptr) {
    context.refused_parents->insert(*held);
  }
  return context.parents->Put(entity, record.identity.legacy_id, ulid);
}

// The first reference cell of `row` naming a parent row of this unit that the target refused,
// or -1. Such a row was made before its parent was refused (its batch held back with the
// parent's: agent/run/unit_writes.h).
int RefusedReference(const CommitContext& context, const Row& row) {
  if (context.refused_parents == nullptr || context.refused_parents->empty()) return -1;
  const std::vector<ColumnMapping>& columns = context.entity->columns;
  for (size_t c = 0; c < columns.size() && c < row.cells.size(); ++c) {
    if (columns[c].references.empty()) continue;
    const std::string* ulid = std::get_if<std::string>(&row.cells[c]);
    if (ulid != nullptr && context.refused_parents->count(*ulid)) return static_cast<int>(c);
  }
  return -1;
}

// Finds each record's row in the target, adopts the rows found under a unique key, plans every
// record by the policy, and rejects those whose write would break a key.
Status PlanBatch(const CommitContext& context, std::vector<AssignedRecord>* records,
                 std::vector<Planned>* plans, std::vector<ConflictDecision>* decisions) {
  const EntityMapping& entity = *context.entity;
  std::vector<ExistingRow> existing;
  bool whole_rows = context.policy != ConflictPolicy::kSkip || context.decide != nullptr;
  FERRY_RETURN_IF_ERROR(
      FindExistingRows(entity, context.loader, whole_rows, *records, context.written, &existing));
  plans->assign(records->size(), Planned());
  ExampleBudget budget(*context.counts);
  for (size_t i = 0; i < records->size(); ++i) {
    AssignedRecord& record = (*records)[i];
    if (existing[i].adopted) {
      AdoptRow(entity, *existing[i].row, &record);
      FERRY_RETURN_IF_ERROR(SetParentUlid(context, record, record.identity.ulid));
    }
    Planned& planned = (*plans)[i];
    ConflictPolicy policy = context.policy;
    // A row equal to the incoming one is unchanged whatever the answer: not asked.
    if (context.decide != nullptr && existing[i].row &&
        !RowsEqual(entity.table, *existing[i].row, record.row)) {
      // q stops here: nothing of this batch is written.
      FERRY_ASSIGN_OR_RETURN(policy, context.decide->Decide(entity, record.identity.legacy_id,
                                                            *existing[i].row, record.row));
      if (context.decide->Records()) {
        decisions->push_back({entity.name, record.identity.legacy_id, record.identity.ulid, policy,
                              context.decide->LastAsked()});
      }
    }
    planned.plan = PlanOf(context, policy, record, existing[i].row);
    if (planned.plan == Plan::kUpdate && budget.Take("updated")) {
      ConflictRows rows{&*existing[i].row, &record.row, &record.row};
      planned.example =
          MakeConflictExample(entity, record.identity.legacy_id, "updated", nullptr, &rows);
    }
  }
  // Every key of the batch, written or not, adopted ones under the row's: a superset of what
  // the target holds of this unit's after the write.
  if (context.written != nullptr) context.written->Remember(entity, *records);
  FERRY_RETURN_IF_ERROR(MergeWithTarget(context, records, existing, &budget, plans));
  std::vector<bool> writes(records->size());
  for (size_t i = 0; i < records->size(); ++i) writes[i] = Writes((*plans)[i].plan);
  std::vector<std::string> taken = BatchKeyConflicts(entity, *records, writes);
  for (size_t i = 0; i < records->size(); ++i) {
    Planned& planned = (*plans)[i];
    std::string reason =
        !existing[i].conflict.empty() && writes[i] ? existing[i].conflict : std::move(taken[i]);
    if (reason.empty()) continue;
    planned.plan = Plan::kRejected;
    // Its row, if the target has one, stays what its children reference.
    if (!existing[i].row) FERRY_RETURN_IF_ERROR(SetParentUlid(context, (*records)[i], ""));
    FERRY_RETURN_IF_ERROR(RejectRecord(context, (*records)[i], std::move(reason)));
  }
  return Status::OK();
}

// What a row of a WriteBatch came from: enough to reject it after the batch was built.
struct SentRecord {
  AssignedRecord origin;  // legacy id, place and position; its row and identity moved away
  bool insert = false;    // the target held no row for it: children lose their parent
};

// Adds a part's outcome to the batch's; the part's first row is the batch's row `offset`.
void Add(BatchOutcome* sum, BatchOutcome part, size_t offset) {
  sum->inserted += part.inserted;
  sum->updated += part.updated;
  sum->skipped += part.skipped;
  sum->merged += part.merged;
  for (RowReject& refused : part.rejected) {
    refused.row += offset;
    sum->rejected.push_back(std::move(refused));
  }
}

// Writes `batch`. When the database refuses it for its data (Rejected: PostgreSQL SQLSTATE class
// 22/23, SQLite CONSTRAINT — a CHECK constraint or trigger of the application, say, which ferry
// could not foresee), the batch is written again in halves, down to one record, so that the
// record the database refuses is rejected with the database's message and the others load.
// Each part commits with the checkpoint of its own last record, so that a resume after a crash
// between parts goes on after what committed (the last part keeps the batch's checkpoint).
// Only with --continue-on-error: without it the run stops at the refused batch, none of whose
// rows is then written (PRODUCT.md), with the database's message.
Result<BatchOutcome> WriteTracingRefusals(const CommitContext& context, WriteBatch batch,
                                          const std::vector<SentRecord>& sent, size_t first) {
  Result<BatchOutcome> written = context.loader->Write(batch);
  if (written.ok() || !written.status().IsRejected() || !context.continue_on_error) {
    return written;
  }
  if (batch.rows.size() == 1) {
    const SentRecord& record = sent[first];
    if (record.insert) FERRY_RETURN_IF_ERROR(SetParentUlid(context, record.origin, ""));
    FERRY_RETURN_IF_ERROR(RejectRecord(
        context, record.origin, "the target refused the row: " + written.status().message()));
    return BatchOutcome{};
  }
  size_t half = batch.rows.size() / 2;
  WriteBatch left;
  left.table = batch.table;
  left.entity = batch.entity;
  left.user_id = batch.user_id;
  left.policy = batch.policy;
  left.checkpoint = batch.checkpoint;
  left.reject_broken_keys = batch.reject_broken_keys;
  left.checkpoint.position = sent[first + half - 1].origin.position;
  WriteBatch right = left;
  left.audit = std::move(batch.audit);  // once, with the first part that commits
  right.checkpoint = batch.checkpoint;
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    WriteBatch& part = i < half ? left : right;
    part.rows.push_back(std::move(batch.rows[i]));
    part.identities.push_back(std::move(batch.identities[i]));
  }
  BatchOutcome sum;
  FERRY_ASSIGN_OR_RETURN(BatchOutcome done,
                         WriteTracingRefusals(context, std::move(left), sent, first));
  Add(&sum, std::move(done), 0);
  FERRY_ASSIGN_OR_RETURN(done, WriteTracingRefusals(context, std::move(right), sent, first + half));
  Add(&sum, std::move(done), half);
  return sum;
}

// Adds a batch's outcome to the entity's counts.
Status Count(const CommitContext& context, const BatchOutcome& predicted,
             const BatchOutcome& outcome) {
  EntityCounts& counts = *context.counts;
  counts.inserted += outcome.inserted;
  counts.skipped += outcome.skipped;
  if (context.decide != nullptr) {
    // Decided record by record: the loader wrote merged rows as updates.
    counts.merged += predicted.merged;
    counts.updated += outcome.updated + outcome.merged - predicted.merged;
  } else if (context.policy == ConflictPolicy::kMerge) {
    // Every update of a merge batch is a merged row, however the loader counts it.
    counts.merged += outcome.merged + outcome.updated;
  } else {
    counts.updated += outcome.updated;
    counts.merged += outcome.merged;
  }
  return Status::OK();
}

// Writes `batch` in a transaction of its own, first rejecting the rows that reference a parent
// the target refused since the batch was made; the outcome's row indexes are `batch`'s.
Result<BatchOutcome> WriteAlone(const CommitContext& context, WriteBatch batch,
                                const std::vector<SentRecord>& sent) {
  std::vector<size_t> kept;  // the index in `batch` of each row written
  WriteBatch rest;
  std::vector<SentRecord> rest_sent;
  bool filtered = false;
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    int column = RefusedReference(context, batch.rows[i]);
    if (column < 0) {
      kept.push_back(i);
      continue;
    }
    filtered = true;
    if (sent[i].insert) FERRY_RETURN_IF_ERROR(SetParentUlid(context, sent[i].origin, ""));
    const ColumnMapping& refers = context.entity->columns[column];
    FERRY_RETURN_IF_ERROR(RejectRecord(
        context, sent[i].origin,
        refers.field + " refers to " + refers.references + " whose row the target refused"));
  }
  if (!filtered) return WriteTracingRefusals(context, std::move(batch), sent, 0);
  rest.table = batch.table;
  rest.entity = batch.entity;
  rest.user_id = batch.user_id;
  rest.policy = batch.policy;
  rest.checkpoint = batch.checkpoint;
  rest.reject_broken_keys = batch.reject_broken_keys;
  for (size_t i : kept) {
    rest.rows.push_back(std::move(batch.rows[i]));
    rest.identities.push_back(std::move(batch.identities[i]));
    rest_sent.push_back(sent[i]);
  }
  BatchOutcome outcome;
  if (!rest.rows.empty()) {
    FERRY_ASSIGN_OR_RETURN(outcome, WriteTracingRefusals(context, std::move(rest), rest_sent, 0));
  } else {
    // Only the checkpoint: the batch's records are all accounted for.
    FERRY_ASSIGN_OR_RETURN(outcome, context.loader->Write(rest));
  }
  for (RowReject& refused : outcome.rejected) refused.row = kept.at(refused.row);
  return outcome;
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
  std::vector<Planned> plans;
  std::vector<ConflictDecision> decisions;  // --conflict interactive's, to record
  FERRY_RETURN_IF_ERROR(PlanBatch(context, &records, &plans, &decisions));
  for (const ConflictDecision& decision : decisions) counts.AddDecision(decision);

  WriteBatch batch;
  batch.table = &entity.table;
  batch.entity = entity.name;
  batch.user_id = *context.user_id;
  batch.policy = context.policy;
  batch.checkpoint = checkpoint;
  batch.reject_broken_keys = context.continue_on_error;
  // Recorded with the batch they shaped: there exactly when its rows are.
  if (!decisions.empty())
    batch.audit.push_back({kConflictDecisionAction, DecisionsDetail(decisions)});
  BatchOutcome predicted;             // what the write would do, for a dry run
  std::vector<SentRecord> sent;       // one per row of the batch
  std::vector<size_t> batch_records;  // the record of each row of the batch
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
        if (!record.identity.adopted) continue;
        record.identity.keep_row = true;  // the adopted row stays; the id map learns it
        break;
      case Plan::kUnchanged:
        ++counts.unchanged;
        counts.AddConflictExample(plans[i].example
                                      ? std::move(*plans[i].example)
                                      : MakeConflictExample(entity, id, "unchanged", merge));
        if (!record.identity.adopted) continue;
        record.identity.keep_row = true;
        break;
      case Plan::kInsert:
        ++predicted.inserted;
        AddExample(&counts.examples_inserted, id);
        break;
      case Plan::kUpdate:
        ++predicted.updated;
        AddExample(&counts.examples_updated, id);
        counts.AddConflictExample(plans[i].example
                                      ? std::move(*plans[i].example)
                                      : MakeConflictExample(entity, id, "updated", nullptr));
        break;
      case Plan::kMerge:
        ++predicted.merged;
        counts.AddConflictExample(plans[i].example
                                      ? std::move(*plans[i].example)
                                      : MakeConflictExample(entity, id, "merged", merge));
        break;
    }
    SentRecord origin{AssignedRecord{}, plans[i].plan == Plan::kInsert};
    origin.origin.identity.legacy_id = id;
    origin.origin.where = record.where;
    origin.origin.position = record.position;
    sent.push_back(std::move(origin));
    batch.rows.push_back(std::move(record.row));
    batch.identities.push_back(std::move(record.identity));
    batch_records.push_back(i);
  }
  counts.skipped += predicted.skipped;  // decided here, never sent to the loader
  BatchOutcome outcome = predicted;
  outcome.skipped = 0;
  // A batch of no rows is still written when it carries audit entries (decisions to skip).
  if (context.dry_run || (batch.rows.empty() && batch.audit.empty())) {
    return Count(context, predicted, outcome);
  }
  // The identities, for rows the target may refuse by a key of its own (the batch moves away).
  std::vector<IdentityRecord> identities;
  if (batch.reject_broken_keys) identities = batch.identities;
  auto records_left = std::make_shared<std::vector<AssignedRecord>>(std::move(records));
  UnitWrites::Held held;
  held.write_alone = [context, sent = std::move(sent)](WriteBatch alone) {
    return WriteAlone(context, std::move(alone), sent);
  };
  held.finish = [context, predicted, records_left, batch_records = std::move(batch_records),
                 identities = std::move(identities)](BatchOutcome written) -> Status {
    // Rows the target refused by a key of its own (loaders/loader.h RowReject): not written.
    for (RowReject& refused : written.rejected) {
      AssignedRecord& record = (*records_left)[batch_records.at(refused.row)];
      record.identity = identities.at(refused.row);
      FERRY_RETURN_IF_ERROR(SetParentUlid(context, record, ""));
      FERRY_RETURN_IF_ERROR(RejectRecord(context, record, std::move(refused.reason)));
    }
    written.rejected.clear();
    return Count(context, predicted, written);
  };
  // Written on the writer thread only when no row names a parent the target refused (known
  // when the write starts: the batch before it has completed), so that WriteAlone would send it
  // as it is; a refusal of its data comes back to WriteAlone on this thread.
  held.plain = [context](const WriteBatch& plain) {
    for (const Row& row : plain.rows) {
      if (RefusedReference(context, row) >= 0) return false;
    }
    return true;
  };
  held.batch = std::move(batch);
  if (context.writes != nullptr) return context.writes->Add(std::move(held));
  FERRY_ASSIGN_OR_RETURN(outcome, held.write_alone(std::move(held.batch)));
  return held.finish(std::move(outcome));
}

}  // namespace ferry
