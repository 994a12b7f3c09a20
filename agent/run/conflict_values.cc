#include "agent/run/conflict_values.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "transformers/datetime.h"
#include "transformers/json_writer.h"
#include "transformers/merge_row.h"

namespace ferry {

namespace {

// The index of the column `path` starts with (the longest name that is the path or a prefix
// of it followed by '.'), or -1.
int ColumnIndexOf(const EntityMapping& entity, const std::string& path) {
  int best = -1;
  for (size_t i = 0; i < entity.columns.size(); ++i) {
    const std::string& name = entity.columns[i].def.name;
    bool match = path.compare(0, name.size(), name) == 0 &&
                 (path.size() == name.size() || path[name.size()] == '.');
    if (match && (best < 0 || name.size() > entity.columns[best].def.name.size())) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

std::string Cut(std::string text) {
  if (text.size() <= kMaxExampleValueBytes) return text;
  size_t end = kMaxExampleValueBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

std::string JsonQuoted(const std::string& text) {
  std::string out;
  AppendJsonString(
      text.size() > 4 * kMaxExampleValueBytes ? text.substr(0, 4 * kMaxExampleValueBytes) : text,
      &out);
  return out;
}

// The member at `members` ("a.b", names joined by '.') of `value`: at each level the longest
// member name that the rest starts with, so that a name holding a dot is found too. Absent:
// nullopt (the merge counts an absent member as null).
std::optional<simdjson::dom::element> MemberAt(simdjson::dom::element value,
                                               std::string_view members) {
  while (!members.empty()) {
    simdjson::dom::object object;
    if (value.get(object) != simdjson::SUCCESS) return std::nullopt;
    std::optional<simdjson::dom::element> next;
    size_t taken = 0;
    for (auto field : object) {
      std::string_view key = field.key;
      bool match = members.substr(0, key.size()) == key &&
                   (members.size() == key.size() || members[key.size()] == '.');
      if (match && (!next || key.size() > taken)) {
        next = field.value;
        taken = key.size();
      }
    }
    if (!next) return std::nullopt;
    value = *next;
    members.remove_prefix(std::min(members.size(), taken + 1));
  }
  return value;
}

// The value of `cell` of `column`, or of its JSON member `members`, as the report shows it.
std::string Shown(const ColumnDef& column, const Cell& cell, std::string_view members) {
  if (IsNull(cell)) return "null";
  if (const auto* text = std::get_if<std::string>(&cell)) {
    if (column.type != ColumnType::kJson) return Cut(JsonQuoted(*text));
    simdjson::dom::parser parser;
    simdjson::dom::element value;
    if (parser.parse(*text).get(value) != simdjson::SUCCESS) return Cut(JsonQuoted(*text));
    std::optional<simdjson::dom::element> member = MemberAt(value, members);
    if (!member) return "(absent)";
    std::string out;
    AppendJson(*member, {}, &out);
    return Cut(std::move(out));
  }
  if (const auto* integer = std::get_if<int64_t>(&cell)) {
    if (column.type == ColumnType::kTimestamp) return FormatTimestampMillis(*integer);
    if (column.type == ColumnType::kBoolean) return *integer != 0 ? "true" : "false";
    return std::to_string(*integer);
  }
  if (const auto* real = std::get_if<double>(&cell)) return Cut(fmt::format("{}", *real));
  return std::get<bool>(cell) ? "true" : "false";
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  for (const std::string& entry : list) {
    if (entry == item) return true;
  }
  return false;
}

}  // namespace

bool HoldsSensitive(const EntityMapping& entity, const std::string& path) {
  int index = ColumnIndexOf(entity, path);
  if (index < 0) return true;
  const ColumnMapping& column = entity.columns[index];
  std::string members =
      path.size() > column.def.name.size() ? path.substr(column.def.name.size() + 1) : "";
  std::string record_path;
  switch (column.source) {
    case ColumnSource::kField:
      record_path = members.empty() ? column.field : column.field + "." + members;
      break;
    case ColumnSource::kRecord:
      record_path = members;
      break;
    case ColumnSource::kStoreKey:
      return Contains(entity.sensitive, column.field);
    default:
      return false;  // $user, $ulid, ...: values ferry gives, not the record's
  }
  for (const std::string& sensitive : entity.sensitive) {
    auto under = [](const std::string& inner, const std::string& outer) {
      return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
             inner[outer.size()] == '.';
    };
    if (record_path.empty() || record_path == sensitive || under(record_path, sensitive) ||
        under(sensitive, record_path)) {
      return true;
    }
  }
  return false;
}

ConflictValues ValuesAt(const EntityMapping& entity, const std::string& path,
                        const ConflictRows& rows) {
  ConflictValues values;
  values.withheld = HoldsSensitive(entity, path);
  if (values.withheld) return values;
  int index = ColumnIndexOf(entity, path);
  const ColumnDef& column = entity.columns[index].def;
  std::string_view members = path;
  members.remove_prefix(std::min(path.size(), column.name.size() + 1));
  auto shown = [&](const Row* row) {
    return static_cast<size_t>(index) < row->cells.size()
               ? Shown(column, row->cells[index], members)
               : std::string("(none)");
  };
  values.before = shown(rows.before);
  values.after = shown(rows.after);
  std::string incoming = shown(rows.incoming);
  if (incoming != values.after) values.incoming = std::move(incoming);
  return values;
}

std::vector<std::string> DifferingColumns(const TableDef& table, const Row& a, const Row& b) {
  std::vector<std::string> differing;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    TableDef one;
    one.columns = {table.columns[i]};
    Row cell_a{{i < a.cells.size() ? a.cells[i] : Cell{}}};
    Row cell_b{{i < b.cells.size() ? b.cells[i] : Cell{}}};
    if (!RowsEqual(one, cell_a, cell_b)) differing.push_back(table.columns[i].name);
  }
  return differing;
}

}  // namespace ferry
