#include "agent/run/conflict_example.h"

namespace ferry {

namespace {

// The column `path` starts with (the longest name that is the path or a prefix of it
// followed by '.'), or null.
const ColumnMapping* ColumnOf(const EntityMapping& entity, const std::string& path) {
  const ColumnMapping* best = nullptr;
  for (const ColumnMapping& column : entity.columns) {
    const std::string& name = column.def.name;
    bool match = path.compare(0, name.size(), name) == 0 &&
                 (path.size() == name.size() || path[name.size()] == '.');
    if (match && (best == nullptr || name.size() > best->def.name.size())) best = &column;
  }
  return best;
}

std::string CutUtf8(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

}  // namespace

std::string ReportablePath(const EntityMapping& entity, const std::string& path) {
  const ColumnMapping* column = ColumnOf(entity, path);
  if (column == nullptr || path.size() == column->def.name.size()) {
    return CutUtf8(path, kMaxExamplePathBytes);  // a column: a name from the mapping
  }
  std::string base;  // the record path the column's value comes from
  if (column->source == ColumnSource::kField) {
    base = column->field;
  } else if (column->source != ColumnSource::kRecord) {
    return column->def.name;  // members of a value not read from the record: show none
  }
  std::string members = path.substr(column->def.name.size() + 1);
  std::string record_path = base.empty() ? members : base + "." + members;
  std::string shown = path;
  for (const std::string& sensitive : entity.sensitive) {
    if (record_path.size() <= sensitive.size() ||
        record_path.compare(0, sensitive.size(), sensitive) != 0 ||
        record_path[sensitive.size()] != '.') {
      continue;
    }
    // Inside a sensitive field: drop the members below it.
    size_t below = record_path.size() - sensitive.size();
    std::string cut =
        below > members.size() ? column->def.name : path.substr(0, path.size() - below);
    if (cut.size() < shown.size()) shown = cut;
  }
  return CutUtf8(shown, kMaxExamplePathBytes);
}

ConflictExample MakeConflictExample(const EntityMapping& entity, const std::string& legacy_id,
                                    const char* outcome, const MergeResult* merge,
                                    const ConflictRows* rows) {
  ConflictExample example;
  example.legacy_id = CutUtf8(legacy_id, kMaxExamplePathBytes);
  example.outcome = outcome;
  std::vector<MergedField> differed;
  if (merge != nullptr) {
    example.more_fields = merge->differed_omitted;
    differed = merge->differed;
  } else if (rows != nullptr) {
    for (std::string& column : DifferingColumns(entity.table, *rows->before, *rows->incoming)) {
      differed.push_back(MergedField{std::move(column), MergeDecision::kIncomingNewer});
    }
  }
  for (const MergedField& field : differed) {
    std::string path = ReportablePath(entity, field.path);
    const char* decision = MergeDecisionName(field.decision);
    // Paths cut back to one sensitive field would repeat: show it once.
    if (!example.fields.empty() && example.fields.back() == path &&
        (merge == nullptr || example.decisions.back() == decision)) {
      continue;
    }
    if (example.fields.size() == kMaxExampleFields) {
      ++example.more_fields;
      continue;
    }
    example.fields.push_back(std::move(path));
    if (merge != nullptr) example.decisions.push_back(decision);
    if (rows != nullptr) example.values.push_back(ValuesAt(entity, field.path, *rows));
  }
  return example;
}

}  // namespace ferry
