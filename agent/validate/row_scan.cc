#include "agent/validate/row_scan.h"

#include <fmt/format.h>

#include <charconv>

#include "transformers/ulid.h"

namespace ferry {

namespace {

constexpr size_t kPageRows = 2000;
constexpr size_t kRowExamples = 3;

// The column of `entity` read from `source` (and, for kField, from `field`), or -1.
int ColumnFrom(const EntityMapping& entity, ColumnSource source, const std::string& field = "") {
  for (size_t i = 0; i < entity.columns.size(); ++i) {
    const ColumnMapping& column = entity.columns[i];
    if (column.source == source && (source != ColumnSource::kField || column.field == field)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// The key cells ListKeys gave as text, typed as FetchRows binds them; nullopt for a key type
// that does not read back from text alike on both targets.
std::optional<Row> TypedKey(const TableDef& table, const std::vector<std::string>& text) {
  Row key;
  for (size_t i = 0; i < table.primary_key.size(); ++i) {
    const ColumnDef& column =
        table.columns[static_cast<size_t>(table.ColumnIndex(table.primary_key[i]))];
    if (column.type == ColumnType::kText || column.type == ColumnType::kUlid) {
      key.cells.emplace_back(text[i]);
    } else if (column.type == ColumnType::kInteger) {
      int64_t value = 0;
      auto [end, error] = std::from_chars(text[i].data(), text[i].data() + text[i].size(), value);
      if (error != std::errc() || end != text[i].data() + text[i].size()) return std::nullopt;
      key.cells.emplace_back(value);
    } else {
      return std::nullopt;
    }
  }
  return key;
}

std::string KeyText(const std::vector<std::string>& key) {
  std::string out;
  for (const std::string& cell : key) out += (out.empty() ? "" : ", ") + cell;
  return out;
}

struct Columns {
  std::string user;  // the $user column's name, or empty
  int ulid = -1;     // the $ulid column
  int created = -1;  // the column read from id.time_field, a timestamp
  bool typed_keys = true;
};

Status ScanUser(const EntityMapping& entity, const Columns& columns, const std::string& user,
                Loader* loader, RowScan* scan) {
  const TableDef& table = entity.table;
  std::vector<std::string> after;
  std::vector<std::vector<std::string>> keys;
  std::vector<Row> typed;
  std::vector<std::optional<Row>> rows;
  while (true) {
    FERRY_RETURN_IF_ERROR(loader->ListKeys(table, columns.user, user, after, kPageRows, &keys));
    scan->rows += static_cast<int64_t>(keys.size());
    if (columns.ulid >= 0 && columns.typed_keys && !keys.empty()) {
      typed.clear();
      for (const auto& key : keys) typed.push_back(*TypedKey(table, key));
      FERRY_RETURN_IF_ERROR(loader->FetchRows(table, typed, &rows));
      for (size_t i = 0; i < rows.size(); ++i) {
        if (!rows[i]) continue;  // deleted between the two reads
        ++scan->ulids_checked;
        const Cell& ulid = rows[i]->cells[static_cast<size_t>(columns.ulid)];
        std::optional<int64_t> created;
        if (columns.created >= 0) {
          const Cell& cell = rows[i]->cells[static_cast<size_t>(columns.created)];
          if (const int64_t* ms = std::get_if<int64_t>(&cell)) created = *ms;
        }
        bool time_only = false;
        std::optional<std::string> problem = UlidProblem(ulid, created, &time_only);
        if (!problem) continue;
        ++(time_only ? scan->ulid_times : scan->bad_ulids);
        if (scan->examples.size() < kRowExamples) {
          scan->examples.push_back(fmt::format("key {}: {}", KeyText(keys[i]), *problem));
        }
      }
    }
    if (keys.size() < kPageRows) return Status::OK();
    after = keys.back();
  }
}

}  // namespace

std::optional<std::string> UlidProblem(const Cell& ulid, std::optional<int64_t> created_ms,
                                       bool* time_only) {
  *time_only = false;
  const std::string* text = std::get_if<std::string>(&ulid);
  if (text == nullptr) return std::string("no ULID");
  Result<Ulid> decoded = DecodeUlid(*text);
  if (!decoded.ok()) {
    return fmt::format("ULID {} is not well-formed: {}", *text, decoded.status().message());
  }
  if (EncodeUlid(*decoded) != *text) {
    return fmt::format("ULID {} is not in canonical form ({})", *text, EncodeUlid(*decoded));
  }
  if (created_ms && static_cast<int64_t>(decoded->time_ms()) != *created_ms) {
    *time_only = true;
    return fmt::format("ULID {} holds the time {} ms, the row's creation time is {} ms", *text,
                       decoded->time_ms(), *created_ms);
  }
  return std::nullopt;
}

Status ScanEntityRows(const EntityMapping& entity, const std::set<std::string>& users,
                      Loader* loader, RowScan* scan) {
  *scan = RowScan{};
  Columns columns;
  int user = ColumnFrom(entity, ColumnSource::kUser);
  if (user >= 0) columns.user = entity.table.columns[static_cast<size_t>(user)].name;
  columns.ulid = entity.ulid_column;
  if (!entity.time_field.empty()) {
    columns.created = ColumnFrom(entity, ColumnSource::kField, entity.time_field);
    if (columns.created >= 0 &&
        entity.table.columns[static_cast<size_t>(columns.created)].type != ColumnType::kTimestamp) {
      columns.created = -1;
    }
  }
  if (columns.ulid >= 0 &&
      !TypedKey(entity.table, std::vector<std::string>(entity.table.primary_key.size(), "0"))) {
    columns.typed_keys = false;
    scan->unchecked = "ULIDs not checked: the primary key is not text, ulid or integer";
  }
  if (columns.user.empty()) return ScanUser(entity, columns, "", loader, scan);
  for (const std::string& id : users) {
    FERRY_RETURN_IF_ERROR(ScanUser(entity, columns, id, loader, scan));
  }
  return Status::OK();
}

}  // namespace ferry
