#include "agent/run/written_keys.h"

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>

namespace ferry {

namespace {

// The table's keys, primary first, as column indexes.
std::vector<std::vector<size_t>> KeyColumnIndexes(const TableDef& table) {
  std::vector<std::vector<std::string>> names = {table.primary_key};
  names.insert(names.end(), table.unique.begin(), table.unique.end());
  std::vector<std::vector<size_t>> keys;
  for (const std::vector<std::string>& key : names) {
    std::vector<size_t> columns;
    for (const std::string& name : key)
      columns.push_back(static_cast<size_t>(table.ColumnIndex(name)));
    keys.push_back(std::move(columns));
  }
  return keys;
}

bool Holds(const std::vector<size_t>& columns, int column) {
  return column >= 0 &&
         std::find(columns.begin(), columns.end(), static_cast<size_t>(column)) != columns.end();
}

}  // namespace

int UserKeyColumn(const EntityMapping& entity) {
  int user_column = -1;
  for (size_t c = 0; c < entity.columns.size(); ++c) {
    if (entity.columns[c].source == ColumnSource::kUser) user_column = static_cast<int>(c);
  }
  if (user_column < 0) return -1;
  for (const std::vector<size_t>& key : KeyColumnIndexes(entity.table)) {
    if (!key.empty() && key.front() == static_cast<size_t>(user_column)) return user_column;
  }
  return -1;
}

Status WrittenKeys::Begin(const EntityMapping& entity, Loader* loader,
                          const std::vector<AssignedRecord>& records) {
  if (state_ != State::kUnknown || records.empty()) return Status::OK();
  state_ = State::kHeld;
  user_column_ = UserKeyColumn(entity);
  if (user_column_ < 0) return Status::OK();
  const Cell& user = records.front().row.cells[static_cast<size_t>(user_column_)];
  if (IsNull(user)) return Status::OK();
  bool none = presumed_fresh_;
  if (!none) {
    FERRY_RETURN_IF_ERROR(loader->HoldsNoRowWith(
        entity.table, entity.table.columns[static_cast<size_t>(user_column_)].name, user, &none));
  }
  if (none) state_ = State::kFresh;
  return Status::OK();
}

bool WrittenKeys::Unheld(size_t key, const std::vector<size_t>& columns, const Row& row) const {
  if (state_ != State::kFresh || !Holds(columns, user_column_)) return false;
  return !Contains(Hash(key, columns, row));
}

void WrittenKeys::Remember(const EntityMapping& entity,
                           const std::vector<AssignedRecord>& records) {
  if (state_ != State::kFresh) return;
  std::vector<std::vector<size_t>> keys = KeyColumnIndexes(entity.table);
  for (size_t k = 0; k < keys.size(); ++k) {
    if (!Holds(keys[k], user_column_)) continue;
    if (size_ + records.size() > max_keys_) {
      // Past the bound every key is read back, as without the probe: slower, never wrong.
      state_ = State::kHeld;
      std::vector<uint64_t>().swap(slots_);
      size_ = 0;
      return;
    }
    for (const AssignedRecord& record : records) Insert(Hash(k, keys[k], record.row));
  }
}

uint64_t WrittenKeys::Hash(size_t key, const std::vector<size_t>& columns, const Row& row) const {
  // The cells hashed one by one (no text built): kind, then value, mixed in turn.
  uint64_t hash = (key + 1) * 0x9E3779B97F4A7C15ULL;  // the same cells under two keys differ
  auto mix = [&hash](uint64_t part) {
    hash ^= part + 0x9E3779B97F4A7C15ULL + (hash << 6) + (hash >> 2);
  };
  for (size_t c : columns) {
    const Cell& cell = row.cells[c];
    mix(cell.index());
    if (const auto* s = std::get_if<std::string>(&cell)) {
      mix(std::hash<std::string_view>{}(*s));
    } else if (const auto* i = std::get_if<int64_t>(&cell)) {
      mix(static_cast<uint64_t>(*i));
    } else if (const auto* d = std::get_if<double>(&cell)) {
      mix(std::hash<double>{}(*d));
    } else if (const auto* b = std::get_if<bool>(&cell)) {
      mix(*b ? 1 : 0);
    }
  }
  return hash == 0 ? 1 : hash;
}

bool WrittenKeys::Contains(uint64_t hash) const {
  if (slots_.empty()) return false;
  size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return true;
    if (slots_[i] == 0) return false;
  }
}

void WrittenKeys::Insert(uint64_t hash) {
  if ((size_ + 1) * 2 > slots_.size()) {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), 0);
    size_ = 0;
    for (uint64_t kept : old) {
      if (kept != 0) Insert(kept);
    }
  }
  size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return;
    if (slots_[i] == 0) {
      slots_[i] = hash;
      ++size_;
      return;
    }
  }
}

}  // namespace ferry
