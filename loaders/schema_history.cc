#include "loaders/schema_history.h"

#include <algorithm>

#include "base/fnv1a.h"
#include "loaders/sql_identifier.h"

namespace ferry {

namespace {

constexpr std::string_view kBookkeepingPrefix = "ferry bookkeeping";
constexpr std::string_view kCreateTablePrefix = "create table ";
constexpr std::string_view kAdoptTablePrefix = "adopt table ";
constexpr std::string_view kEvolveTablePrefix = "evolve table ";

// The length of the create/adopt/evolve prefix `description` starts with, 0 when none.
size_t TablePrefixSize(std::string_view description) {
  for (std::string_view prefix : {kCreateTablePrefix, kAdoptTablePrefix, kEvolveTablePrefix}) {
    if (description.substr(0, prefix.size()) == prefix) return prefix.size();
  }
  return 0;
}

}  // namespace

std::optional<std::string> TakeQuotedIdentifier(std::string_view* text) {
  if (text->empty() || text->front() != '"') return std::nullopt;
  std::string name;
  for (size_t i = 1; i < text->size(); ++i) {
    char c = (*text)[i];
    if (c != '"') {
      name += c;
    } else if (i + 1 < text->size() && (*text)[i + 1] == '"') {
      name += '"';
      ++i;
    } else {
      text->remove_prefix(i + 1);
      return name;
    }
  }
  return std::nullopt;  // no closing quote
}

bool IsBookkeepingMigration(std::string_view description) {
  return description.substr(0, kBookkeepingPrefix.size()) == kBookkeepingPrefix;
}

std::string TableChecksum(const std::vector<std::string>& statements) {
  Fnv1a64 hash;
  for (const std::string& statement : statements) hash.Add(statement);
  return hash.Hex();
}

std::string CreateTableDescription(const std::string& quoted_name, const TableDef& table) {
  std::string description = std::string(kCreateTablePrefix) + quoted_name;
  std::string origin;
  if (!table.mapping.empty()) origin = "mapping " + QuoteSqlIdentifier(table.mapping);
  if (!table.entity.empty()) {
    origin +=
        (origin.empty() ? "" : ", ") + std::string("entity ") + QuoteSqlIdentifier(table.entity);
  }
  if (!origin.empty()) description += " (" + origin + ")";
  return description;
}

std::string AdoptTableDescription(const std::string& quoted_name, const TableDef& table) {
  return std::string(kAdoptTablePrefix) +
         CreateTableDescription(quoted_name, table).substr(kCreateTablePrefix.size());
}

bool IsAdoption(std::string_view description) {
  return description.substr(0, kAdoptTablePrefix.size()) == kAdoptTablePrefix;
}

std::string EvolveTableDescription(const std::string& quoted_name, const TableDef& table,
                                   const EvolutionStep& step) {
  return std::string(kEvolveTablePrefix) +
         CreateTableDescription(quoted_name, table).substr(kCreateTablePrefix.size()) + ": " +
         StepText(step);
}

bool IsEvolution(std::string_view description) {
  return description.substr(0, kEvolveTablePrefix.size()) == kEvolveTablePrefix;
}

std::optional<std::vector<std::string>> CreatedTableName(std::string_view description) {
  size_t prefix = TablePrefixSize(description);
  if (prefix == 0) return std::nullopt;
  std::string_view rest = description.substr(prefix);
  std::vector<std::string> parts;
  while (true) {
    std::optional<std::string> part = TakeQuotedIdentifier(&rest);
    if (!part || part->empty()) return std::nullopt;
    parts.push_back(std::move(*part));
    if (rest.empty() || rest.front() != '.') break;
    rest.remove_prefix(1);
  }
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  return parts;
}

std::optional<std::string> CreatedTableEntity(std::string_view description) {
  if (!CreatedTableName(description)) return std::nullopt;
  std::string_view rest = description.substr(TablePrefixSize(description));
  while (!rest.empty() && rest.front() != ' ') {  // past the name, quotes and dots
    if (rest.front() == '"') {
      if (!TakeQuotedIdentifier(&rest)) return std::nullopt;
    } else {
      rest.remove_prefix(1);
    }
  }
  constexpr std::string_view kOpen = " (";
  if (rest.substr(0, kOpen.size()) != kOpen) return std::nullopt;
  rest.remove_prefix(kOpen.size());
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string_view word = rest.substr(0, space);
    rest.remove_prefix(space + 1);
    std::optional<std::string> value = TakeQuotedIdentifier(&rest);
    if (!value) return std::nullopt;
    if (word == "entity") return value;
    if (rest.substr(0, 2) != ", ") return std::nullopt;
    rest.remove_prefix(2);
  }
  return std::nullopt;
}

const HistoryRow* FindRecorded(const std::vector<HistoryRow>& history, const WantedTable& wanted,
                               SameTableName same_name) {
  for (const HistoryRow& row : history) {
    if (IsEvolution(row.description)) continue;
    std::optional<std::vector<std::string>> name = CreatedTableName(row.description);
    if (name && same_name(*name, wanted.name)) return &row;
  }
  return nullptr;
}

const HistoryRow* FindNewest(const std::vector<HistoryRow>& history, const WantedTable& wanted,
                             SameTableName same_name) {
  const HistoryRow* base = FindRecorded(history, wanted, same_name);
  const HistoryRow* newest = base;
  for (const HistoryRow& row : history) {
    if (base == nullptr || row.version <= newest->version || !IsEvolution(row.description)) {
      continue;
    }
    std::optional<std::vector<std::string>> name = CreatedTableName(row.description);
    if (name && same_name(*name, wanted.name)) newest = &row;
  }
  return newest;
}

NewestRecorded FindNewestRecorded(const std::vector<HistoryRow>& history,
                                  const std::vector<WantedTable>& wanted, SameTableName same_name) {
  NewestRecorded newest;
  for (const WantedTable& candidate : wanted) {
    const HistoryRow* row = FindNewest(history, candidate, same_name);
    if (row != nullptr && (newest.row == nullptr || row->version > newest.row->version)) {
      newest = NewestRecorded{&candidate, row};
    }
  }
  return newest;
}

Status RefuseDropOfRows(const std::string& quoted_name, int64_t rows, int64_t version, bool force) {
  if (rows == 0 || force) return Status::OK();
  return Status::InvalidArgument("table " + quoted_name + " holds " + std::to_string(rows) +
                                 (rows == 1 ? " row" : " rows") +
                                 ": `ferry schema down` drops it (reverting migration " +
                                 std::to_string(version) + ") only with --force");
}

std::string RevertAuditDetail(int64_t version, const std::string& quoted_name, bool existed,
                              int64_t rows, const std::string& entity) {
  std::string detail = "reverted migration " + std::to_string(version) + ": ";
  detail += existed ? "dropped table " + quoted_name + " with " + std::to_string(rows) + " row(s)"
                    : "forgot table " + quoted_name + ", which was missing";
  if (!entity.empty()) {
    detail += "; cleared the id map and checkpoints of entity " + entity;
  }
  return detail;
}

std::string ForgetAdoptionAuditDetail(int64_t version, const std::string& quoted_name) {
  return "reverted migration " + std::to_string(version) + ": forgot the adoption of table " +
         quoted_name + ", which stays in the target with its rows";
}

std::string RevertStepAuditDetail(int64_t version, const std::string& quoted_name,
                                  const EvolutionStep& step) {
  return "reverted migration " + std::to_string(version) + " of table " + quoted_name + ": " +
         StepText(step);
}

Status RefuseDropOfValues(const std::string& quoted_name, const std::string& column, int64_t values,
                          int64_t version, bool force) {
  if (values == 0 || force) return Status::OK();
  return Status::InvalidArgument("column \"" + column + "\" of table " + quoted_name + " holds " +
                                 std::to_string(values) + (values == 1 ? " value" : " values") +
                                 ": `ferry schema down` drops it (reverting migration " +
                                 std::to_string(version) + ") only with --force");
}

SchemaMigration TableMigration(const WantedTable& wanted, const HistoryRow* recorded) {
  SchemaMigration migration;
  migration.table = wanted.quoted_name;
  migration.checksum =
      recorded == nullptr && !wanted.base_checksum.empty() ? wanted.base_checksum : wanted.checksum;
  migration.exists = wanted.exists;
  if (recorded == nullptr) {
    // An existing table is adopted as it is, never created.
    migration.adopted = wanted.exists;
    migration.description = wanted.exists
                                ? AdoptTableDescription(wanted.quoted_name, *wanted.table)
                                : CreateTableDescription(wanted.quoted_name, *wanted.table);
    migration.state = SchemaMigration::State::kPending;
    return migration;
  }
  migration.version = static_cast<int>(recorded->version);
  migration.description = recorded->description;
  migration.adopted = IsAdoption(recorded->description);
  migration.recorded_checksum = recorded->checksum;
  migration.applied_at = recorded->applied_at;
  if (recorded->checksum != wanted.checksum &&
      (!wanted.exists || wanted.plan.steps.empty() || !wanted.plan.refusal.empty())) {
    migration.state = SchemaMigration::State::kChanged;  // no plan takes it to the mapping
    migration.refusal = wanted.plan.refusal;
  } else if (!wanted.exists) {
    migration.state = SchemaMigration::State::kMissing;
  } else {
    migration.state = SchemaMigration::State::kApplied;  // or applied, its steps pending
    migration.checksum = recorded->checksum;  // what it applied; the steps render the rest
  }
  return migration;
}

std::vector<SchemaMigration> PlanMigrations(const std::vector<HistoryRow>& history,
                                            const SchemaMigration& bookkeeping,
                                            const std::vector<WantedTable>& wanted,
                                            SameTableName same_name) {
  std::vector<HistoryRow> rows = history;
  std::sort(rows.begin(), rows.end(),
            [](const HistoryRow& a, const HistoryRow& b) { return a.version < b.version; });
  std::vector<SchemaMigration> out;
  SchemaMigration own = bookkeeping;
  own.state = SchemaMigration::State::kPending;
  for (const HistoryRow& row : rows) {
    if (row.version == bookkeeping.version) {
      own.recorded_checksum = row.checksum;
      own.applied_at = row.applied_at;
      own.exists = true;  // the history table holds it, so the bookkeeping is there
      own.state = row.checksum == bookkeeping.checksum ? SchemaMigration::State::kApplied
                                                       : SchemaMigration::State::kChanged;
    }
  }
  out.push_back(own);
  std::vector<int64_t> newest(wanted.size(), 0);  // the version of each table's newest row
  for (size_t i = 0; i < wanted.size(); ++i) {
    const HistoryRow* row = FindNewest(rows, wanted[i], same_name);
    if (row != nullptr) newest[i] = row->version;
  }
  for (const HistoryRow& row : rows) {
    if (row.version == bookkeeping.version) continue;
    std::optional<std::vector<std::string>> name = CreatedTableName(row.description);
    size_t match = wanted.size();
    for (size_t i = 0; name && i < wanted.size() && match == wanted.size(); ++i) {
      if (newest[i] != 0 && same_name(*name, wanted[i].name)) match = i;
    }
    if (match < wanted.size() && row.version == newest[match]) {
      out.push_back(TableMigration(wanted[match], &row));
      continue;
    }
    // An earlier migration of a mapping table, a table of another mapping, a later migration of
    // ferry's bookkeeping (checked by the target's own code), or a newer ferry's row: shown as
    // recorded, unchecked here.
    SchemaMigration other;
    other.version = static_cast<int>(row.version);
    other.description = row.description;
    other.checksum = row.checksum;
    other.recorded_checksum = row.checksum;
    other.applied_at = row.applied_at;
    other.state = SchemaMigration::State::kApplied;
    if (match < wanted.size()) {
      other.table = wanted[match].quoted_name;
      other.exists = wanted[match].exists;
      other.adopted = IsAdoption(row.description);
    } else {
      other.in_mapping = IsBookkeepingMigration(row.description);  // ferry's own: every mapping's
    }
    out.push_back(std::move(other));
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (newest[i] == 0) out.push_back(TableMigration(wanted[i], nullptr));
    if (newest[i] == 0 || wanted[i].exists) {
      for (SchemaMigration& step : PendingSteps(wanted[i])) out.push_back(std::move(step));
    }
  }
  return out;
}

Status RefuseDrift(const SchemaMigration& migration) {
  std::string version = std::to_string(migration.version);
  switch (migration.state) {
    case SchemaMigration::State::kChanged:
      if (migration.table.empty()) {
        return Status::Corruption("ferry's bookkeeping tables (migration " + version +
                                  ") were recorded with checksum " + migration.recorded_checksum +
                                  ", this ferry renders " + migration.checksum +
                                  ": they were changed outside ferry; restore them");
      }
      // The mapping is the user's configuration: fixing it (or the table) is theirs.
      if (!migration.refusal.empty()) {
        return Status::InvalidArgument("the mapping changed table " + migration.table +
                                       " since migration " + version + " (recorded checksum " +
                                       migration.recorded_checksum + ", the mapping now renders " +
                                       migration.checksum + "), and " + migration.refusal);
      }
      if (migration.adopted) {
        return Status::InvalidArgument(
            "the mapping changed table " + migration.table + " since migration " + version +
            " adopted it (recorded checksum " + migration.recorded_checksum +
            ", the mapping now renders " + migration.checksum +
            "). Restore the mapping, or forget the adoption with `ferry schema down` (the table "
            "and its rows stay) and adopt it again with `ferry schema up`");
      }
      return Status::InvalidArgument(
          "the mapping changed table " + migration.table + " since migration " + version +
          " created it (recorded checksum " + migration.recorded_checksum +
          ", the mapping now renders " + migration.checksum +
          "), and the table is no longer in the target, so ferry cannot evolve it: restore the "
          "table, or forget it with `ferry schema down " +
          migration.table +
          "` (newest migration first) and create it again with `ferry schema "
          "up`. `ferry schema status` lists the migrations");
    case SchemaMigration::State::kMissing:
      return Status::Corruption(
          "table " + migration.table + " was created by migration " + version +
          " but is no longer in the target (dropped outside ferry?), while ferry's id map still "
          "lists the rows written into it. Restore the table, or revert the migrations down to " +
          version + " with `ferry schema down` (newest first). `ferry schema status` lists them");
    case SchemaMigration::State::kApplied:
    case SchemaMigration::State::kPending:
      return Status::OK();
  }
  return Status::OK();
}

int NextVersion(const std::vector<HistoryRow>& history) {
  int64_t highest = 1;
  for (const HistoryRow& row : history) highest = std::max(highest, row.version);
  return static_cast<int>(highest + 1);
}

void AddPendingBookkeeping(const std::vector<LaterBookkeeping>& later,
                           std::vector<SchemaMigration>* migrations) {
  size_t at = migrations->empty() ? 0 : 1;
  for (const LaterBookkeeping& one : later) {
    bool recorded = false;
    for (size_t i = 0; i < migrations->size(); ++i) {
      if ((*migrations)[i].description != one.description) continue;
      recorded = true;
      at = i + 1;
    }
    if (recorded) continue;
    SchemaMigration pending;
    pending.description = one.description;
    pending.checksum = one.checksum;
    pending.state = SchemaMigration::State::kPending;
    migrations->insert(migrations->begin() + static_cast<std::ptrdiff_t>(at++), std::move(pending));
  }
}

std::vector<SchemaMigration> NewlyAppliedBookkeeping(const std::vector<SchemaMigration>& before,
                                                     const std::vector<SchemaMigration>& now) {
  std::vector<SchemaMigration> applied;
  for (const SchemaMigration& migration : now) {
    bool was = false;
    for (const SchemaMigration& old : before) {
      was = was ||
            (old.version == migration.version && old.state != SchemaMigration::State::kPending);
    }
    if (!was && migration.table.empty()) applied.push_back(migration);
  }
  return applied;
}

}  // namespace ferry
