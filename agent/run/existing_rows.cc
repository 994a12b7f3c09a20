#include "agent/run/existing_rows.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "transformers/content_hash.h"

namespace ferry {

namespace {

std::vector<size_t> ColumnIndexes(const TableDef& table, const std::vector<std::string>& names) {
  std::vector<size_t> indexes;
  for (const std::string& name : names) {
    indexes.push_back(static_cast<size_t>(table.ColumnIndex(name)));
  }
  return indexes;
}

// "(user_id, legacy_id)": column names only, never values (a key may hold anything).
std::string ColumnList(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "(" : ", ") + name;
  return list + ")";
}

Row CellsAt(const Row& row, const std::vector<size_t>& columns) {
  Row cells;
  for (size_t c : columns) cells.cells.push_back(row.cells[c]);
  return cells;
}

bool SameCells(const Row& a, const Row& b, const std::vector<size_t>& columns) {
  for (size_t c : columns) {
    if (!(a.cells[c] == b.cells[c])) return false;
  }
  return true;
}

// A null in a unique key matches no row, and takes no key.
bool AnyNull(const Row& row, const std::vector<size_t>& columns) {
  for (size_t c : columns) {
    if (IsNull(row.cells[c])) return true;
  }
  return false;
}

// A text two rows share exactly when their cells in `columns` are equal.
std::string KeyText(const Row& row, const std::vector<size_t>& columns) {
  std::string text;
  for (size_t c : columns) {
    const Cell& cell = row.cells[c];
    text += std::to_string(cell.index());
    if (const auto* s = std::get_if<std::string>(&cell)) {
      text += std::to_string(s->size()) + ":" + *s;
    } else if (const auto* i = std::get_if<int64_t>(&cell)) {
      text += std::to_string(*i);
    } else if (const auto* d = std::get_if<double>(&cell)) {
      char exact[40];
      std::snprintf(exact, sizeof exact, "%a", *d);
      text += exact;
    } else if (const auto* b = std::get_if<bool>(&cell)) {
      text += *b ? "1" : "0";
    }
    text += ";";
  }
  return text;
}

// A fresh ULID in the primary key: no row can be under it yet.
bool KeyHoldsFreshUlid(const EntityMapping& entity) {
  if (entity.ulid_column < 0) return false;
  const std::string& name = entity.table.columns[static_cast<size_t>(entity.ulid_column)].name;
  const std::vector<std::string>& key = entity.table.primary_key;
  return std::find(key.begin(), key.end(), name) != key.end();
}

// The columns a kept row is known by: its keys and its ULID (all a skip needs of it).
std::vector<bool> KeyColumns(const EntityMapping& entity) {
  const TableDef& table = entity.table;
  std::vector<bool> wanted(table.columns.size(), false);
  for (size_t c : ColumnIndexes(table, table.primary_key)) wanted[c] = true;
  for (const std::vector<std::string>& unique : table.unique) {
    for (size_t c : ColumnIndexes(table, unique)) wanted[c] = true;
  }
  if (entity.ulid_column >= 0) wanted[static_cast<size_t>(entity.ulid_column)] = true;
  return wanted;
}

// The rows of entity's table under `key` for the records at `indexes`, one read. Unless
// `whole_rows`, only the key columns are read and the others left null.
Status Fetch(Loader* loader, const EntityMapping& entity, bool whole_rows,
             const std::vector<std::string>& key, const std::vector<AssignedRecord>& records,
             const std::vector<size_t>& indexes, std::vector<std::optional<Row>>* found) {
  found->clear();
  if (indexes.empty()) return Status::OK();
  const TableDef& table = entity.table;
  std::vector<size_t> columns = ColumnIndexes(table, key);
  std::vector<Row> keys;
  keys.reserve(indexes.size());
  for (size_t i : indexes) keys.push_back(CellsAt(records[i].row, columns));
  TableDef by_key = table;
  by_key.primary_key = key;
  if (whole_rows) return loader->FetchRows(by_key, keys, found);
  std::vector<bool> wanted = KeyColumns(entity);
  by_key.columns.clear();
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (wanted[c]) by_key.columns.push_back(table.columns[c]);
  }
  FERRY_RETURN_IF_ERROR(loader->FetchRows(by_key, keys, found));
  for (std::optional<Row>& row : *found) {
    if (!row) continue;
    Row wide;
    wide.cells.resize(table.columns.size());
    size_t next = 0;
    for (size_t c = 0; c < table.columns.size() && next < row->cells.size(); ++c) {
      if (wanted[c]) wide.cells[c] = std::move(row->cells[next++]);
    }
    row = std::move(wide);
  }
  return Status::OK();
}

}  // namespace

Status FindExistingRows(const EntityMapping& entity, Loader* loader, bool whole_rows,
                        const std::vector<AssignedRecord>& records, WrittenKeys* written,
                        std::vector<ExistingRow>* out) {
  const TableDef& table = entity.table;
  out->assign(records.size(), ExistingRow());
  if (written != nullptr) FERRY_RETURN_IF_ERROR(written->Begin(entity, loader, records));
  // True when the key at `key` (primary first) of record i cannot be in the target.
  auto unheld = [&](size_t key, const std::vector<size_t>& columns, size_t i) {
    return written != nullptr && written->Unheld(key, columns, records[i].row);
  };
  std::vector<size_t> primary = ColumnIndexes(table, table.primary_key);
  std::vector<std::string> found_by(records.size(), ColumnList(table.primary_key));
  bool fresh_key = KeyHoldsFreshUlid(entity);
  std::vector<size_t> indexes;
  for (size_t i = 0; i < records.size(); ++i) {
    if ((records[i].known || !fresh_key) && !unheld(0, primary, i)) indexes.push_back(i);
  }
  std::vector<std::optional<Row>> found;
  FERRY_RETURN_IF_ERROR(
      Fetch(loader, entity, whole_rows, table.primary_key, records, indexes, &found));
  for (size_t k = 0; k < indexes.size(); ++k) {
    ExistingRow& existing = (*out)[indexes[k]];
    existing.row = std::move(found[k]);
    // A row under a key made of the record's fields that the id map does not tie to it.
    existing.adopted = existing.row && !records[indexes[k]].known;
  }

  for (size_t u = 0; u < table.unique.size(); ++u) {
    const std::vector<std::string>& unique = table.unique[u];
    std::vector<size_t> columns = ColumnIndexes(table, unique);
    indexes.clear();
    for (size_t i = 0; i < records.size(); ++i) {
      const ExistingRow& existing = (*out)[i];
      if (!existing.conflict.empty() || AnyNull(records[i].row, columns)) continue;
      if (unheld(u + 1, columns, i)) continue;
      // The row found already holds this key: no other row can (the target enforces it).
      if (existing.row && SameCells(*existing.row, records[i].row, columns)) continue;
      indexes.push_back(i);
    }
    FERRY_RETURN_IF_ERROR(Fetch(loader, entity, whole_rows, unique, records, indexes, &found));
    for (size_t k = 0; k < indexes.size(); ++k) {
      if (!found[k]) continue;
      size_t i = indexes[k];
      ExistingRow& existing = (*out)[i];
      if (existing.row) {
        existing.conflict = "the target holds two different rows for it: one under its key " +
                            found_by[i] + ", another under its unique key " + ColumnList(unique);
        continue;
      }
      existing.adopted = !records[i].known || !SameCells(*found[k], records[i].row, primary);
      existing.row = std::move(found[k]);
      found_by[i] = ColumnList(unique);
    }
  }
  return Status::OK();
}

void AdoptRow(const EntityMapping& entity, const Row& existing, AssignedRecord* record) {
  for (size_t c : ColumnIndexes(entity.table, entity.table.primary_key)) {
    record->row.cells[c] = existing.cells[c];
  }
  if (entity.ulid_column >= 0) {
    const Cell& ulid = existing.cells[static_cast<size_t>(entity.ulid_column)];
    record->row.cells[static_cast<size_t>(entity.ulid_column)] = ulid;
    if (const auto* text = std::get_if<std::string>(&ulid)) record->identity.ulid = *text;
  }
  record->identity.content_hash = ContentHash(record->row);
  record->identity.adopted = true;
}

std::vector<std::string> BatchKeyConflicts(const EntityMapping& entity,
                                           const std::vector<AssignedRecord>& records,
                                           const std::vector<bool>& writes) {
  const TableDef& table = entity.table;
  std::vector<std::string> reasons(records.size());
  std::vector<std::vector<std::string>> keys = {table.primary_key};
  keys.insert(keys.end(), table.unique.begin(), table.unique.end());
  for (const std::vector<std::string>& key : keys) {
    std::vector<size_t> columns = ColumnIndexes(table, key);
    std::unordered_map<std::string, size_t> first;
    for (size_t i = 0; i < records.size(); ++i) {
      if (!writes[i] || !reasons[i].empty() || AnyNull(records[i].row, columns)) continue;
      auto [taken, fresh] = first.emplace(KeyText(records[i].row, columns), i);
      if (fresh) continue;
      reasons[i] = "its key " + ColumnList(key) + " is also that of record \"" +
                   records[taken->second].identity.legacy_id +
                   "\", written in the same batch (a mapping's unique key that two records share)";
    }
  }
  return reasons;
}

}  // namespace ferry
