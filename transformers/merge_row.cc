#include "transformers/merge_row.h"

#include <simdjson.h>

#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "transformers/datetime.h"
#include "transformers/json_records.h"
#include "transformers/json_writer.h"

namespace ferry {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A cell's time, for comparing the two sides; nullopt when it holds none. long double holds
// every int64 exactly, so integer milliseconds compare exactly.
std::optional<long double> TimeOf(const Cell& cell) {
  if (const auto* integer = std::get_if<int64_t>(&cell)) return static_cast<long double>(*integer);
  if (const auto* real = std::get_if<double>(&cell)) {
    if (*real != *real) return std::nullopt;  // NaN is no time
    return static_cast<long double>(*real);
  }
  if (const auto* text = std::get_if<std::string>(&cell)) {
    if (std::optional<int64_t> ms = ParseRfc3339Millis(*text)) {
      return static_cast<long double>(*ms);
    }
  }
  return std::nullopt;
}

// Equal times, or no time on either side: the incoming row is newer (docs/mapping.md).
bool IncomingIsNewer(const Row& existing, const Row& incoming, int timestamp_column) {
  if (timestamp_column < 0) return true;
  std::optional<long double> old_time = TimeOf(existing.cells[timestamp_column]);
  std::optional<long double> new_time = TimeOf(incoming.cells[timestamp_column]);
  if (!old_time) return true;
  if (!new_time) return false;
  return *new_time >= *old_time;
}

std::optional<long double> NumberOf(const Cell& cell) {
  if (const auto* integer = std::get_if<int64_t>(&cell)) return static_cast<long double>(*integer);
  if (const auto* real = std::get_if<double>(&cell)) return static_cast<long double>(*real);
  if (const auto* boolean = std::get_if<bool>(&cell)) return *boolean ? 1.0L : 0.0L;
  return std::nullopt;
}

// Equal as values of a column: a boolean read back as 1 equals true, 2 equals 2.0.
bool CellsEqual(const Cell& a, const Cell& b) {
  if (IsNull(a) || IsNull(b)) return IsNull(a) && IsNull(b);
  const auto* text_a = std::get_if<std::string>(&a);
  const auto* text_b = std::get_if<std::string>(&b);
  if (text_a != nullptr || text_b != nullptr) {
    return text_a != nullptr && text_b != nullptr && *text_a == *text_b;
  }
  return NumberOf(a) == NumberOf(b);
}

bool IsJsonNull(element value) { return value.type() == element_type::NULL_VALUE; }

bool JsonEqual(element a, element b);

bool ObjectsEqual(simdjson::dom::object a, simdjson::dom::object b) {
  if (a.size() != b.size()) return false;
  std::unordered_map<std::string_view, element> members;
  for (auto field : b) members.try_emplace(field.key, field.value);
  for (auto field : a) {
    auto found = members.find(field.key);
    if (found == members.end() || !JsonEqual(field.value, found->second)) return false;
  }
  return true;
}

// Equal JSON values: objects whatever their member order, numbers by value.
bool JsonEqual(element a, element b) {
  element_type type_a = a.type();
  element_type type_b = b.type();
  auto is_number = [](element_type t) {
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  };
  if (is_number(type_a) && is_number(type_b)) {
    if (type_a == type_b && type_a == element_type::INT64) return int64_t(a) == int64_t(b);
    if (type_a == type_b && type_a == element_type::UINT64) return uint64_t(a) == uint64_t(b);
    auto number = [](element e, element_type t) -> long double {
      if (t == element_type::INT64) return static_cast<long double>(int64_t(e));
      if (t == element_type::UINT64) return static_cast<long double>(uint64_t(e));
      return static_cast<long double>(double(e));
    };
    return number(a, type_a) == number(b, type_b);
  }
  if (type_a != type_b) return false;
  switch (type_a) {
    case element_type::OBJECT:
      return ObjectsEqual(a, b);
    case element_type::ARRAY: {
      simdjson::dom::array array_a = a;
      simdjson::dom::array array_b = b;
      if (array_a.size() != array_b.size()) return false;
      auto it_b = array_b.begin();
      for (element item : array_a) {
        if (!JsonEqual(item, *it_b)) return false;
        ++it_b;
      }
      return true;
    }
    case element_type::STRING:
      return std::string_view(a) == std::string_view(b);
    case element_type::BOOL:
      return bool(a) == bool(b);
    default:
      return true;  // both null
  }
}

// Decides between two differing values, given which are null (or absent); never both.
MergeDecision Decide(bool incoming_newer, bool existing_null, bool incoming_null) {
  if (incoming_newer) {
    return incoming_null ? MergeDecision::kExistingKeptOverNull : MergeDecision::kIncomingNewer;
  }
  return existing_null ? MergeDecision::kIncomingFilledNull : MergeDecision::kExistingNewer;
}

bool TakesIncoming(MergeDecision decision) {
  return decision == MergeDecision::kIncomingNewer ||
         decision == MergeDecision::kIncomingFilledNull;
}

// Merges JSON values and notes the fields that differed; recursion is bounded by the
// parser's depth limit.
class JsonMerger {
 public:
  JsonMerger(bool incoming_newer, MergeResult* result)
      : incoming_newer_(incoming_newer), result_(result) {}

  // Appends the merge of two present values to `out`; true when it differs from `existing`.
  bool MergeValues(element existing, element incoming, std::string* path, std::string* out) {
    if (existing.is_object() && incoming.is_object()) {
      return MergeObjects(existing, incoming, path, out);
    }
    if (JsonEqual(existing, incoming)) {
      AppendJson(existing, {}, out);
      return false;
    }
    MergeDecision decision = Decide(incoming_newer_, IsJsonNull(existing), IsJsonNull(incoming));
    Note(*path, decision);
    AppendJson(TakesIncoming(decision) ? incoming : existing, {}, out);
    return TakesIncoming(decision);
  }

  void Note(const std::string& path, MergeDecision decision) {
    if (result_->differed.size() < MergeResult::kMaxMergedFields) {
      result_->differed.push_back(MergedField{path, decision});
    } else {
      ++result_->differed_omitted;
    }
  }

 private:
  struct IncomingMember {
    element value;
    bool matched = false;
  };

  // Existing members first, in their order, then members only the incoming object has.
  bool MergeObjects(simdjson::dom::object existing, simdjson::dom::object incoming,
                    std::string* path, std::string* out) {
    std::unordered_map<std::string_view, IncomingMember> members;
    for (auto field : incoming) members.try_emplace(field.key, IncomingMember{field.value});
    bool changed = false;
    bool first = true;
    size_t path_size = path->size();
    auto open_member = [&](std::string_view key) {
      out->push_back(first ? '{' : ',');
      first = false;
      AppendJsonString(key, out);
      out->push_back(':');
      path->append(".").append(key);
    };
    for (auto field : existing) {
      auto found = members.find(field.key);
      open_member(field.key);
      if (found != members.end()) {
        found->second.matched = true;
        changed = MergeValues(field.value, found->second.value, path, out) || changed;
      } else {
        if (!IsJsonNull(field.value)) {
          Note(*path, Decide(incoming_newer_, false, true));  // absent counts as null
        }
        AppendJson(field.value, {}, out);
      }
      path->resize(path_size);
    }
    for (auto field : incoming) {
      IncomingMember& member = members.at(field.key);
      if (member.matched || IsJsonNull(field.value)) continue;  // a new null adds nothing
      member.matched = true;
      open_member(field.key);
      Note(*path, Decide(incoming_newer_, true, false));
      AppendJson(field.value, {}, out);
      path->resize(path_size);
      changed = true;
    }
    out->append(first ? "{}" : "}");
    return changed;
  }

  bool incoming_newer_;
  MergeResult* result_;
};

Status CheckRow(const TableDef& table, const Row& row, const char* side) {
  if (row.cells.size() != table.columns.size()) {
    return Status::InvalidArgument("table \"" + table.name + "\": the " + side + " row has " +
                                   std::to_string(row.cells.size()) + " cells for " +
                                   std::to_string(table.columns.size()) + " columns");
  }
  return Status::OK();
}

// Parses a json cell; `text` must outlive the element's use.
Result<element> ParseJsonCell(simdjson::dom::parser* parser, const ColumnDef& column,
                              const Cell& cell, const char* side) {
  const auto* text = std::get_if<std::string>(&cell);
  if (text == nullptr) {
    return Status::InvalidArgument("column \"" + column.name + "\" (json): the " + side +
                                   " value is not text");
  }
  element value;
  auto error = parser->parse(*text).get(value);
  if (error != simdjson::SUCCESS) {
    // A number beyond a double or 2^64 (kept as written: docs/mapping.md) is read as a record's.
    Result<ScannedValue> scanned = ScanJsonRecords(*text, SourceShape::kRecord);
    if (scanned.ok() && scanned->rewritten &&
        parser->parse(scanned->rewritten_text).get(value) == simdjson::SUCCESS) {
      return value;
    }
  }
  if (error != simdjson::SUCCESS) {
    return Status::InvalidArgument("column \"" + column.name + "\" (json): the " + side +
                                   " value is not JSON: " + simdjson::error_message(error));
  }
  return value;
}

bool IsKeyColumn(const TableDef& table, const std::string& column) {
  for (const std::string& key : table.primary_key) {
    if (key == column) return true;
  }
  return false;
}

}  // namespace

const char* MergeDecisionName(MergeDecision decision) {
  switch (decision) {
    case MergeDecision::kIncomingNewer:
      return "incoming_newer";
    case MergeDecision::kExistingNewer:
      return "existing_newer";
    case MergeDecision::kIncomingFilledNull:
      return "incoming_filled_null";
    case MergeDecision::kExistingKeptOverNull:
      return "existing_kept_over_null";
  }
  return "unknown";
}

Result<MergeResult> MergeRow(const TableDef& table, const Row& existing, const Row& incoming,
                             int timestamp_column) {
  FERRY_RETURN_IF_ERROR(CheckRow(table, existing, "existing"));
  FERRY_RETURN_IF_ERROR(CheckRow(table, incoming, "incoming"));
  if (timestamp_column >= static_cast<int>(table.columns.size())) {
    return Status::InvalidArgument("table \"" + table.name + "\": timestamp column " +
                                   std::to_string(timestamp_column) + " is not one of its columns");
  }
  MergeResult result;
  result.incoming_newer = IncomingIsNewer(existing, incoming, timestamp_column);
  result.row.cells.reserve(table.columns.size());
  JsonMerger merger(result.incoming_newer, &result);
  simdjson::dom::parser existing_parser;
  simdjson::dom::parser incoming_parser;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnDef& column = table.columns[i];
    const Cell& old_cell = existing.cells[i];
    const Cell& new_cell = incoming.cells[i];
    if (IsKeyColumn(table, column.name)) {
      result.row.cells.push_back(old_cell);
      continue;
    }
    bool old_null = IsNull(old_cell);
    bool new_null = IsNull(new_cell);
    if (column.type == ColumnType::kJson) {
      std::optional<element> old_json;
      std::optional<element> new_json;
      if (!old_null) {
        FERRY_ASSIGN_OR_RETURN(old_json,
                               ParseJsonCell(&existing_parser, column, old_cell, "existing"));
        old_null = IsJsonNull(*old_json);
      }
      if (!new_null) {
        FERRY_ASSIGN_OR_RETURN(new_json,
                               ParseJsonCell(&incoming_parser, column, new_cell, "incoming"));
        new_null = IsJsonNull(*new_json);
      }
      if (old_json && new_json && old_json->is_object() && new_json->is_object()) {
        std::string path = column.name;
        std::string merged;
        if (merger.MergeValues(*old_json, *new_json, &path, &merged)) {
          result.row.cells.push_back(std::move(merged));
          result.unchanged = false;
        } else {
          result.row.cells.push_back(old_cell);  // byte for byte as it was
        }
        continue;
      }
      if ((old_null && new_null) || (old_json && new_json && JsonEqual(*old_json, *new_json))) {
        result.row.cells.push_back(old_cell);
        continue;
      }
    } else if (CellsEqual(old_cell, new_cell)) {
      result.row.cells.push_back(old_cell);
      continue;
    }
    MergeDecision decision = Decide(result.incoming_newer, old_null, new_null);
    merger.Note(column.name, decision);
    if (TakesIncoming(decision)) {
      result.row.cells.push_back(new_cell);
      result.unchanged = false;
    } else {
      result.row.cells.push_back(old_cell);
    }
  }
  return result;
}

bool RowsEqual(const TableDef& table, const Row& a, const Row& b) {
  if (a.cells.size() != table.columns.size() || b.cells.size() != table.columns.size()) {
    return false;
  }
  simdjson::dom::parser parser_a;
  simdjson::dom::parser parser_b;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Cell& cell_a = a.cells[i];
    const Cell& cell_b = b.cells[i];
    if (table.columns[i].type != ColumnType::kJson || IsNull(cell_a) || IsNull(cell_b)) {
      if (!CellsEqual(cell_a, cell_b)) return false;
      continue;
    }
    Result<element> json_a = ParseJsonCell(&parser_a, table.columns[i], cell_a, "first");
    Result<element> json_b = ParseJsonCell(&parser_b, table.columns[i], cell_b, "second");
    if (!json_a.ok() || !json_b.ok() || !JsonEqual(*json_a, *json_b)) return false;
  }
  return true;
}

}  // namespace ferry
