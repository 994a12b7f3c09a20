// schema_evolution.h, the words of a step: its description (StepText) and reading it back
// (ParseStep), the names ferry gives the indexes it creates, and the duplicate-key refusal.
#include <fmt/format.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/fnv1a.h"
#include "base/terminal_text.h"
#include "loaders/schema_evolution.h"
#include "loaders/schema_history.h"
#include "loaders/sql_identifier.h"
#include "transformers/datetime.h"

namespace ferry {

namespace {

constexpr std::string_view kAddColumn = "add column ";
constexpr std::string_view kNotNull = " not null";
constexpr std::string_view kDefault = " default ";
constexpr std::string_view kAddUniqueKey = "add unique key ";
constexpr std::string_view kAddIndex = "add index ";
constexpr std::string_view kWiden = "widen column ";
constexpr std::string_view kWidenEnd = " from ulid to text";
constexpr std::string_view kRecordShape = "record the table as the mapping renders it";
constexpr size_t kMaxIdentifier = 63;  // PostgreSQL's NAMEDATALEN - 1

constexpr ColumnType kAllTypes[] = {
    ColumnType::kText, ColumnType::kInteger,   ColumnType::kReal, ColumnType::kBoolean,
    ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid};

// `text` as a JSON string literal.
std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// The inverse of DefaultText for a column of `type`; nullopt when `text` is not one.
std::optional<Cell> ParseDefault(std::string_view text, ColumnType type) {
  if (type == ColumnType::kJson) return Cell(std::string(text));
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(text.data(), text.size()).get(element) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  switch (type) {
    case ColumnType::kBoolean:
      if (element.is_bool()) return Cell(bool(element));
      break;
    case ColumnType::kInteger:
      if (element.is_int64()) return Cell(int64_t(element));
      break;
    case ColumnType::kReal:
      if (element.is_number()) return Cell(double(element));
      break;
    case ColumnType::kTimestamp:
      if (element.is_string()) {
        if (std::optional<int64_t> ms = ParseRfc3339Millis(std::string_view(element))) {
          return Cell(*ms);
        }
      }
      break;
    case ColumnType::kText:
    case ColumnType::kUlid:
      if (element.is_string()) return Cell(std::string(std::string_view(element)));
      break;
    case ColumnType::kJson:
      break;
  }
  return std::nullopt;
}

// Reads `("a", "b")` from the front of *rest.
std::optional<std::vector<std::string>> TakeColumnList(std::string_view* rest) {
  if (rest->substr(0, 1) != "(") return std::nullopt;
  rest->remove_prefix(1);
  std::vector<std::string> columns;
  while (true) {
    std::optional<std::string> column = TakeQuotedIdentifier(rest);
    if (!column) return std::nullopt;
    columns.push_back(*column);
    if (rest->substr(0, 1) == ")") {
      rest->remove_prefix(1);
      return columns;
    }
    if (rest->substr(0, 2) != ", ") return std::nullopt;
    rest->remove_prefix(2);
  }
}

std::optional<EvolutionStep> ParseAddColumn(std::string_view rest) {
  EvolutionStep step;
  std::optional<std::string> column = TakeQuotedIdentifier(&rest);
  if (!column) return std::nullopt;
  step.kind = EvolutionStep::Kind::kAddColumn;
  step.column = *column;
  bool typed = false;
  for (ColumnType type : kAllTypes) {
    std::string spelled = " (" + std::string(ColumnTypeName(type)) + ")";
    if (rest.substr(0, spelled.size()) == spelled) {
      step.type = type;
      rest.remove_prefix(spelled.size());
      typed = true;
      break;
    }
  }
  if (!typed) return std::nullopt;
  if (rest.substr(0, kNotNull.size()) == kNotNull) {
    step.not_null = true;
    rest.remove_prefix(kNotNull.size());
  }
  if (rest.empty()) return step.not_null ? std::nullopt : std::optional<EvolutionStep>(step);
  if (rest.substr(0, kDefault.size()) != kDefault) return std::nullopt;
  rest.remove_prefix(kDefault.size());
  std::optional<Cell> value = ParseDefault(rest, step.type);
  if (!value || IsNull(*value)) return std::nullopt;
  step.default_value = *value;
  return step;
}

// The name `base` + "_" + columns + `suffix`, hashed down to 63 bytes when longer.
std::string BoundedName(const std::string& base, const std::vector<std::string>& columns,
                        const char* suffix) {
  std::string name = base;
  for (const std::string& column : columns) name += "_" + column;
  name += suffix;
  if (name.size() <= kMaxIdentifier) return name;
  Fnv1a64 hash;
  hash.Add(name);
  return name.substr(0, kMaxIdentifier - 17) + "_" + hash.Hex();
}

}  // namespace

std::string DefaultText(const Cell& value, ColumnType type) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    return type == ColumnType::kJson ? *text : JsonString(*text);
  }
  if (const auto* integer = std::get_if<int64_t>(&value)) {
    return type == ColumnType::kTimestamp ? JsonString(FormatTimestampMillis(*integer))
                                          : std::to_string(*integer);
  }
  if (const auto* real = std::get_if<double>(&value)) return fmt::format("{}", *real);
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean ? "true" : "false";
  return "";
}

std::string StepText(const EvolutionStep& step) {
  switch (step.kind) {
    case EvolutionStep::Kind::kAddColumn: {
      std::string text = std::string(kAddColumn) + QuoteSqlIdentifier(step.column) + " (" +
                         ColumnTypeName(step.type) + ")";
      if (step.not_null) text += kNotNull;
      if (!IsNull(step.default_value)) {
        text += std::string(kDefault) + DefaultText(step.default_value, step.type);
      }
      return text;
    }
    case EvolutionStep::Kind::kAddUniqueKey:
      return std::string(kAddUniqueKey) + QuotedColumnList(step.key);
    case EvolutionStep::Kind::kAddIndex:
      return std::string(kAddIndex) + QuoteSqlIdentifier(step.index.name) + " " +
             QuotedColumnList(step.index.columns);
    case EvolutionStep::Kind::kWidenToText:
      return std::string(kWiden) + QuoteSqlIdentifier(step.column) + std::string(kWidenEnd);
    case EvolutionStep::Kind::kRecordShape:
      return std::string(kRecordShape);
  }
  return std::string(kRecordShape);
}

std::optional<EvolutionStep> ParseStep(std::string_view description) {
  // `evolve table "s"."t" (mapping "m", entity "e"): <step>`, read quote by quote.
  constexpr std::string_view kPrefix = "evolve table ";
  if (description.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = description.substr(kPrefix.size());
  while (true) {  // the name, qualified or not
    if (!TakeQuotedIdentifier(&rest)) return std::nullopt;
    if (rest.empty() || rest.front() != '.') break;
    rest.remove_prefix(1);
  }
  if (rest.substr(0, 2) == " (") {
    rest.remove_prefix(2);
    while (true) {
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) return std::nullopt;
      rest.remove_prefix(space + 1);
      if (!TakeQuotedIdentifier(&rest)) return std::nullopt;
      if (rest.substr(0, 1) == ")") break;
      if (rest.substr(0, 2) != ", ") return std::nullopt;
      rest.remove_prefix(2);
    }
    rest.remove_prefix(1);
  }
  if (rest.substr(0, 2) != ": ") return std::nullopt;
  rest.remove_prefix(2);
  EvolutionStep step;
  if (rest == kRecordShape) return step;
  if (rest.substr(0, kAddColumn.size()) == kAddColumn) {
    return ParseAddColumn(rest.substr(kAddColumn.size()));
  }
  if (rest.substr(0, kWiden.size()) == kWiden) {
    rest.remove_prefix(kWiden.size());
    std::optional<std::string> column = TakeQuotedIdentifier(&rest);
    if (!column || rest != kWidenEnd) return std::nullopt;
    step.kind = EvolutionStep::Kind::kWidenToText;
    step.column = *column;
    return step;
  }
  if (rest.substr(0, kAddIndex.size()) == kAddIndex) {
    rest.remove_prefix(kAddIndex.size());
    std::optional<std::string> name = TakeQuotedIdentifier(&rest);
    if (!name || rest.substr(0, 1) != " ") return std::nullopt;
    rest.remove_prefix(1);
    std::optional<std::vector<std::string>> columns = TakeColumnList(&rest);
    if (!columns || !rest.empty()) return std::nullopt;
    step.kind = EvolutionStep::Kind::kAddIndex;
    step.index.name = *name;
    step.index.columns = *columns;
    return step;
  }
  if (rest.substr(0, kAddUniqueKey.size()) != kAddUniqueKey) return std::nullopt;
  rest.remove_prefix(kAddUniqueKey.size());
  std::optional<std::vector<std::string>> key = TakeColumnList(&rest);
  if (!key || !rest.empty()) return std::nullopt;
  step.kind = EvolutionStep::Kind::kAddUniqueKey;
  step.key = *key;
  return step;
}

std::string UniqueIndexName(const std::string& table, const std::vector<std::string>& key) {
  return BoundedName("ferry_" + table, key, "_key");
}

std::string IndexName(const TableDef& table, const IndexDef& index) {
  return index.name.empty() ? BoundedName("ferry_" + table.name, index.columns, "_idx")
                            : index.name;
}

std::string DuplicateKeyRefusal(const std::string& quoted_name, const std::vector<std::string>& key,
                                const std::vector<std::string>& duplicates) {
  std::string listed;
  for (const std::string& one : duplicates) listed += (listed.empty() ? "" : "; ") + one;
  return "cannot add unique key " + QuotedColumnList(key) + " to table " + quoted_name +
         ": rows already there share it (" + TerminalSafe(listed) +
         "). Make them unique (merge or delete the extra rows), then run `ferry schema up` "
         "again; or leave the key out of the mapping";
}

}  // namespace ferry
