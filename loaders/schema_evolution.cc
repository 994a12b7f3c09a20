#include "loaders/schema_evolution.h"

#include <algorithm>

#include "loaders/schema_history.h"
#include "loaders/sql_identifier.h"

namespace ferry {

namespace {

std::string KeyText(const std::vector<std::string>& key) { return QuotedColumnList(key); }

const ExistingColumn* FindColumn(const ExistingTable& table, const std::string& name,
                                 SameColumnName same) {
  for (const ExistingColumn& column : table.columns) {
    if (same(column.name, name)) return &column;
  }
  return nullptr;
}

bool SameKey(const std::vector<std::string>& a, const std::vector<std::string>& b,
             SameColumnName same) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](const std::string& x) {
    return std::any_of(b.begin(), b.end(), [&](const std::string& y) { return same(x, y); });
  });
}

bool HasKey(const std::vector<std::vector<std::string>>& keys, const std::vector<std::string>& key,
            SameColumnName same) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const std::vector<std::string>& k) { return SameKey(k, key, same); });
}

bool IsKeyColumn(const TableDef& table, const std::string& column) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), column) !=
         table.primary_key.end();
}

std::string Declared(const ExistingColumn& column) {
  return column.declared_type.empty() ? "without a type" : "declared " + column.declared_type;
}

// The table as it was before `step`, given the table after it.
TableDef Revert(TableDef table, const EvolutionStep& step) {
  switch (step.kind) {
    case EvolutionStep::Kind::kAddColumn:
      table.columns.erase(std::remove_if(table.columns.begin(), table.columns.end(),
                                         [&](const ColumnDef& c) { return c.name == step.column; }),
                          table.columns.end());
      break;
    case EvolutionStep::Kind::kAddUniqueKey:
      table.unique.erase(std::remove(table.unique.begin(), table.unique.end(), step.key),
                         table.unique.end());
      break;
    case EvolutionStep::Kind::kAddIndex:
      table.indexes.erase(std::remove_if(table.indexes.begin(), table.indexes.end(),
                                         [&](const IndexDef& index) {
                                           return IndexName(table, index) == step.index.name;
                                         }),
                          table.indexes.end());
      break;
    case EvolutionStep::Kind::kWidenToText:
      for (ColumnDef& column : table.columns) {
        if (column.name == step.column) column.type = ColumnType::kUlid;
      }
      break;
    case EvolutionStep::Kind::kRecordShape:
      break;
  }
  return table;
}

// Checks one column of the mapping against the table; appends a step or a refusal.
void PlanColumn(const ExistingTable& existing, const TableDef& wanted, const ColumnDef& column,
                const std::string& table, bool created, SameColumnName same,
                std::vector<EvolutionStep>* steps, std::vector<std::string>* refusals) {
  const ExistingColumn* has = FindColumn(existing, column.name, same);
  const std::string name = QuoteSqlIdentifier(column.name);
  bool not_null = !column.nullable || IsKeyColumn(wanted, column.name);
  if (has == nullptr) {
    if (not_null && IsNull(column.default_value)) {
      refusals->push_back(
          "the mapping adds column " + name +
          " NOT NULL without a default: the rows already there have no value for it. Give it "
          "a `default:` in the mapping (the rows already there take it), make it nullable, or "
          "add it yourself with a value for every row (ALTER TABLE " +
          table + " ADD COLUMN " + name + " ... NOT NULL DEFAULT ...)");
      return;
    }
    EvolutionStep step;
    step.kind = EvolutionStep::Kind::kAddColumn;
    step.column = column.name;
    step.type = column.type;
    step.not_null = not_null;
    step.default_value = column.default_value;
    steps->push_back(std::move(step));
    return;
  }
  unsigned allowed = created ? has->declares : has->accepts;
  if ((allowed & TypeBit(column.type)) == 0) {
    if (column.type == ColumnType::kText && (has->declares & TypeBit(ColumnType::kUlid)) != 0) {
      EvolutionStep step;
      step.kind = EvolutionStep::Kind::kWidenToText;
      step.column = column.name;
      steps->push_back(std::move(step));
    } else {
      refusals->push_back("column " + name + " is " + Declared(*has) +
                          ", and the mapping now "
                          "writes it as " +
                          ColumnTypeName(column.type) +
                          ": ferry changes a "
                          "column's type only from ulid to text, since a narrower or other type "
                          "could change or refuse the values already there. Restore the type in "
                          "the mapping, or convert the column yourself (ALTER TABLE " +
                          table + " ALTER COLUMN " + name +
                          " TYPE ... on PostgreSQL; a copy of the table "
                          "on SQLite)");
    }
  }
  if (created && not_null && !has->not_null) {
    refusals->push_back("the mapping makes column " + name +
                        " NOT NULL, and rows already there "
                        "may hold NULL. Give them a value and set NOT NULL yourself (UPDATE " +
                        table + " SET " + name + " = ... WHERE " + name +
                        " IS NULL; then ALTER "
                        "TABLE ... ALTER COLUMN ... SET NOT NULL on PostgreSQL, a copy of the "
                        "table on SQLite), or keep it nullable in the mapping");
  }
  if (!not_null && has->not_null && !has->has_default) {
    refusals->push_back("the mapping lets column " + name +
                        " be NULL, and the table refuses "
                        "NULL there. Drop NOT NULL yourself (ALTER TABLE " +
                        table + " ALTER COLUMN " + name +
                        " DROP NOT NULL on PostgreSQL; a copy of the "
                        "table on SQLite), or keep it NOT NULL in the mapping");
  }
}

// Appends a step for each index of the mapping that no index of the table covers (the same
// columns in the same order, unique or not), or a refusal when its name is taken by another.
void PlanIndexes(const ExistingTable& existing, const TableDef& wanted,
                 const std::string& quoted_name, SameColumnName same,
                 std::vector<EvolutionStep>* steps, std::vector<std::string>* refusals) {
  for (const IndexDef& index : wanted.indexes) {
    auto covers = [&](const ExistingIndex& have) {
      return have.columns.size() == index.columns.size() &&
             std::equal(have.columns.begin(), have.columns.end(), index.columns.begin(), same);
    };
    if (std::any_of(existing.indexes.begin(), existing.indexes.end(), covers)) continue;
    EvolutionStep step;
    step.kind = EvolutionStep::Kind::kAddIndex;
    step.index = {IndexName(wanted, index), index.columns};
    for (const ExistingIndex& have : existing.indexes) {
      if (!same(have.name, step.index.name)) continue;
      refusals->push_back("index " + QuoteSqlIdentifier(have.name) + " of table " + quoted_name +
                          " is on " + KeyText(have.columns) + ", and the mapping puts it on " +
                          KeyText(index.columns) +
                          ": ferry never drops an index. Give the mapping's index another name, "
                          "or drop the old one yourself (DROP INDEX " +
                          QuoteSqlIdentifier(have.name) + ")");
    }
    steps->push_back(std::move(step));
  }
}

}  // namespace

EvolutionPlan PlanEvolution(const ExistingTable& existing, const TableDef& wanted,
                            const std::string& quoted_name, bool adopting, bool created,
                            SameColumnName same) {
  EvolutionPlan plan;
  std::vector<EvolutionStep> steps;
  std::vector<std::string> refusals;
  if (!adopting) {
    if (!HasKey(existing.unique_keys, wanted.primary_key, same)) {
      refusals.push_back("the mapping changed the primary key to " + KeyText(wanted.primary_key) +
                         ", the identity of every row already there. ferry never changes it: "
                         "restore it in the mapping, or load into a new table");
    }
    for (const ColumnDef& column : wanted.columns) {
      PlanColumn(existing, wanted, column, quoted_name, created, same, &steps, &refusals);
    }
    for (const ExistingColumn& column : existing.columns) {
      if (wanted.ColumnIndex(column.name) >= 0) continue;
      bool written = false;
      for (const ColumnDef& w : wanted.columns) written = written || same(w.name, column.name);
      if (written) continue;
      if (created || (column.not_null && !column.has_default)) {
        refusals.push_back("the mapping no longer has column " + QuoteSqlIdentifier(column.name) +
                           ": ferry never drops a column, since its values would be lost. Keep "
                           "it in the mapping, or drop it yourself (ALTER TABLE " +
                           quoted_name + " DROP COLUMN " + QuoteSqlIdentifier(column.name) + ")");
      }
    }
    for (const std::vector<std::string>& key : existing.unique_keys) {
      if (!created || SameKey(key, wanted.primary_key, same) || HasKey(wanted.unique, key, same)) {
        continue;
      }
      refusals.push_back("the mapping no longer has unique key " + KeyText(key) +
                         ": ferry never drops a constraint the application may rely on. Keep "
                         "it in the mapping, or drop it yourself");
    }
  }
  for (const std::vector<std::string>& key : wanted.unique) {
    if (HasKey(existing.unique_keys, key, same)) continue;
    EvolutionStep step;
    step.kind = EvolutionStep::Kind::kAddUniqueKey;
    step.key = key;
    steps.push_back(std::move(step));
  }
  PlanIndexes(existing, wanted, quoted_name, same, &steps, &refusals);
  if (!refusals.empty()) {
    plan.refusal = "ferry cannot change table " + quoted_name + " to what the mapping renders now";
    for (const std::string& refusal : refusals) plan.refusal += "; " + refusal;
    plan.refusal +=
        ". Once the table is so, `ferry schema up` records it as the mapping renders "
        "it; or restore the mapping";
    return plan;
  }
  if (steps.empty() && !adopting) steps.push_back(EvolutionStep{});  // kRecordShape
  TableDef table = wanted;
  for (size_t i = steps.size(); i-- > 0;) {
    steps[i].after = table;
    table = Revert(std::move(table), steps[i]);
  }
  plan.before = std::move(table);
  plan.steps = std::move(steps);
  return plan;
}

}  // namespace ferry
