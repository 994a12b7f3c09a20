// RunReport::Merge: --jobs gives each worker a report of its own; the run's is their sum.
#include "agent/run/run_report.h"

namespace ferry {

namespace {

template <typename T>
void AppendUpTo(std::vector<T>* to, const std::vector<T>& from, size_t limit) {
  for (const T& item : from) {
    if (to->size() >= limit) return;
    to->push_back(item);
  }
}

void MergeCounts(EntityCounts* to, const EntityCounts& from) {
  to->read += from.read;
  to->valid += from.valid;
  to->inserted += from.inserted;
  to->updated += from.updated;
  to->skipped += from.skipped;
  to->merged += from.merged;
  to->rejected += from.rejected;
  to->unchanged += from.unchanged;
  AppendUpTo(&to->examples_inserted, from.examples_inserted, kMaxExamples);
  AppendUpTo(&to->examples_updated, from.examples_updated, kMaxExamples);
  AppendUpTo(&to->examples_skipped, from.examples_skipped, kMaxExamples);
  AppendUpTo(&to->examples_rejected, from.examples_rejected, kMaxExamples);
  for (const ConflictExample& example : from.examples_conflicts) {
    to->AddConflictExample(example);
  }
  for (const RejectGroup& group : from.reject_groups) to->MergeRejectGroup(group);
  to->rejects_ungrouped += from.rejects_ungrouped;
  to->decided_skip += from.decided_skip;
  to->decided_overwrite += from.decided_overwrite;
  to->decided_merge += from.decided_merge;
  to->decided_by_rule += from.decided_by_rule;
  AppendUpTo(&to->examples_decisions, from.examples_decisions, kMaxDecisionExamples);
}

}  // namespace

void RunReport::Merge(const RunReport& other) {
  units += other.units;
  users.insert(other.users.begin(), other.users.end());
  unmapped_keys += other.unmapped_keys;
  ignored_keys += other.ignored_keys;
  problems += other.problems;
  AppendUpTo(&problem_examples, other.problem_examples, kMaxExamples);
  lossy_entries += other.lossy_entries;
  AppendUpTo(&lossy_examples, other.lossy_examples, kMaxExamples);
  duplicate_members += other.duplicate_members;
  unchanged_units += other.unchanged_units;
  unchanged_units_with_rejects += other.unchanged_units_with_rejects;
  unchanged_passed_over += other.unchanged_passed_over;
  unchanged_rejects_kept += other.unchanged_rejects_kept;
  resume_passed_over += other.resume_passed_over;
  AppendUpTo(&unchanged_unit_examples, other.unchanged_unit_examples, kMaxExamples);
  failed_units.insert(failed_units.end(), other.failed_units.begin(), other.failed_units.end());
  held.Merge(other.held);
  if (would_stop.empty()) would_stop = other.would_stop;
  for (const std::string& name : other.entity_order) {
    MergeCounts(&Entity(name), other.entities.at(name));
  }
}

}  // namespace ferry
