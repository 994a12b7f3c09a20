#include "agent/validate/validation.h"

#include <fmt/format.h>

namespace ferry {

namespace {

std::string FieldList(const ConflictExample& example) {
  std::string out;
  for (const std::string& field : example.fields) out += (out.empty() ? "" : ", ") + field;
  if (example.more_fields > 0) out += fmt::format(" and {} more", example.more_fields);
  return out;
}

// The source's valid records against the target's rows of the run's users, and the ULIDs.
void PrintCounts(const Validation& validation, std::ostream& out) {
  out << fmt::format("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "counts", "valid", "rows",
                     "extra", "ulids", "bad ulid", "ulid time");
  for (const EntityValidation& e : validation.entities) {
    out << fmt::format("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", e.entity, e.valid,
                       e.target_rows, e.extra, e.ulids_checked, e.bad_ulids, e.ulid_times);
    if (e.extra > 0) {
      out << fmt::format(
          "  extra: {} {} row(s) of the run's users that no valid record of the source holds\n",
          e.extra, e.entity);
    }
    for (const std::string& example : e.ulid_examples) {
      out << fmt::format("  ulid: {} {}\n", e.entity, example);
    }
    if (!e.ulids_unchecked.empty()) out << fmt::format("  {}: {}\n", e.entity, e.ulids_unchecked);
  }
}

}  // namespace

int64_t Validation::Differences() const {
  int64_t total = 0;
  for (const EntityValidation& entity : entities) total += entity.Differences();
  for (const DanglingFinding& finding : dangling) total += finding.total;
  return total;
}

Validation JudgeDryRun(const RunReport& dry_run) {
  Validation validation;
  validation.run_id = dry_run.run_id;
  for (const std::string& name : dry_run.entity_order) {
    auto found = dry_run.entities.find(name);
    if (found == dry_run.entities.end()) continue;
    const EntityCounts& counts = found->second;
    EntityValidation entity;
    entity.entity = name;
    entity.valid = counts.valid;
    entity.equal = counts.unchanged;
    entity.missing = counts.inserted;
    entity.differs = counts.updated + counts.merged;
    entity.not_compared = counts.skipped;
    entity.rejected = counts.rejected;
    entity.missing_examples = counts.examples_inserted;
    for (const ConflictExample& example : counts.examples_conflicts) {
      if (example.outcome == "updated" || example.outcome == "merged") {
        entity.differs_examples.push_back(example);
      }
    }
    validation.entities.push_back(std::move(entity));
  }
  return validation;
}

void PrintValidation(const Validation& validation, std::ostream& out) {
  std::string compared = validation.compared == "interactive"
                             ? "the decision the run recorded for each wrote them"
                             : validation.compared + " writes them";
  out << fmt::format("validate run {} (rows compared as {}; records read from {})\n",
                     validation.run_id, compared, validation.read_from);
  out << fmt::format("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "entity", "valid", "equal",
                     "missing", "differs", "kept", "rejected");
  for (const EntityValidation& e : validation.entities) {
    out << fmt::format("{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", e.entity, e.valid, e.equal,
                       e.missing, e.differs, e.not_compared, e.rejected);
    for (const std::string& id : e.missing_examples) {
      out << fmt::format("  missing: {} legacy id {}: no row in the target\n", e.entity, id);
    }
    for (const ConflictExample& example : e.differs_examples) {
      out << fmt::format("  differs: {} legacy id {}: {}\n", e.entity, example.legacy_id,
                         example.fields.empty() ? "the row differs" : FieldList(example));
    }
  }
  PrintCounts(validation, out);
  for (const DanglingFinding& finding : validation.dangling) {
    out << fmt::format("dangling: {} row(s) of {} whose {} names no row of {}\n", finding.total,
                       finding.entity, finding.column, finding.parent);
    for (const DanglingReference& reference : finding.examples) {
      out << fmt::format("  dangling: {} key {}: {} {}\n", finding.entity, reference.key,
                         finding.column, reference.value);
    }
  }
  int64_t differences = validation.Differences();
  if (differences == 0) {
    out << "valid: every valid record's row is in the target as the run writes it\n";
  } else {
    out << fmt::format(
        "differences: {} (rows missing, differing, extra, with a bad ULID or a dangling "
        "reference)\n",
        differences);
  }
}

}  // namespace ferry
