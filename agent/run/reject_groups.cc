// EntityCounts::GroupReject / MergeRejectGroup: rejects grouped by how they failed, bounded so
// that a run with a million rejects keeps a few groups of a few examples each.
#include "agent/run/run_report.h"

namespace ferry {

namespace {

// A schema failure is grouped by its rule and field (its reason names the value, which
// differs from record to record); any other reject by its reason.
bool SameFailure(const RejectGroup& group, const std::string& field,
                 const std::string& schema_location, const std::string& reason) {
  if (group.schema_location != schema_location || group.field != field) return false;
  return !schema_location.empty() || group.reason == reason;
}

// The group of this failure, made when new and there is room for it; else null.
RejectGroup* GroupFor(EntityCounts* counts, const std::string& field,
                      const std::string& schema_location, const std::string& reason) {
  for (RejectGroup& kept : counts->reject_groups) {
    if (SameFailure(kept, field, schema_location, reason)) return &kept;
  }
  if (counts->reject_groups.size() >= kMaxRejectGroups) return nullptr;
  RejectGroup& group = counts->reject_groups.emplace_back();
  group.field = field;
  group.schema_location = schema_location;
  group.reason = reason;
  return &group;
}

}  // namespace

void EntityCounts::MergeRejectGroup(const RejectGroup& from) {
  RejectGroup* group = GroupFor(this, from.field, from.schema_location, from.reason);
  if (group == nullptr) {
    rejects_ungrouped += from.count;
    return;
  }
  group->count += from.count;
  for (const Reject& example : from.examples) {
    if (group->examples.size() >= kMaxRejectGroupExamples) break;
    group->examples.push_back(example);
  }
}

void EntityCounts::GroupReject(const Reject& reject) {
  RejectGroup* group = GroupFor(this, reject.where.pointer, reject.schema_location, reject.reason);
  if (group == nullptr) {
    ++rejects_ungrouped;
    return;
  }
  ++group->count;
  if (group->examples.size() < kMaxRejectGroupExamples) group->examples.push_back(reject);
}

}  // namespace ferry
