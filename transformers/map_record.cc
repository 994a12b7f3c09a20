#include "transformers/map_record.h"

#include <fmt/format.h>

#include <algorithm>

#include "transformers/big_number.h"
#include "transformers/datetime.h"
#include "transformers/field_path.h"
#include "transformers/field_seal.h"
#include "transformers/json_writer.h"
#include "transformers/scalar_text.h"

namespace ferry {

namespace {

bool IsSensitive(const EntityMapping& entity, const std::string& pointer) {
  for (const std::string& path : entity.sensitive) {
    if (PointerIsWithin(pointer, path)) {
      return true;
    }
  }
  return false;
}

Reject MakeReject(const EntityMapping& entity, const ColumnMapping& column, std::string reason,
                  std::optional<simdjson::dom::element> value) {
  Reject reject;
  reject.entity = entity.name;
  reject.where.pointer =
      column.source == ColumnSource::kField ? DottedPathToPointer(column.field) : std::string();
  reject.reason = std::move(reason);
  if (value && !IsSensitive(entity, reject.where.pointer)) {
    reject.value = ShortJsonForReject(*value);
  }
  return reject;
}

// Converts a present, non-null field value to the column's type.
std::optional<Reject> Convert(const EntityMapping& entity, const ColumnMapping& column,
                              simdjson::dom::element value, const ReferenceResolver& resolve,
                              const RejectedReference* rejected, Cell* cell) {
  if (!column.value_map.empty()) {
    std::optional<std::string> text = ScalarToText(value);
    auto it = text ? column.value_map.find(*text) : column.value_map.end();
    if (it != column.value_map.end()) {
      *cell = it->second;
      return std::nullopt;
    }
    if (column.reject_unmapped) {
      return MakeReject(entity, column,
                        fmt::format("{} has a value that the mapping does not map", column.field),
                        value);
    }
  }
  if (!column.references.empty()) {
    std::optional<std::string> legacy = ScalarToText(value);
    std::optional<std::string> ulid = legacy ? resolve(column.references, *legacy) : std::nullopt;
    if (ulid) {
      *cell = std::move(*ulid);
    } else if (column.on_missing == OnMissingReference::kNull) {
      *cell = std::monostate{};
    } else {
      std::optional<std::string> where =
          legacy && rejected && *rejected ? (*rejected)(column.references, *legacy) : std::nullopt;
      if (where) {
        return MakeReject(entity, column,
                          fmt::format("{} refers to {} \"{}\", which was rejected ({})",
                                      column.field, column.references, *legacy, *where),
                          value);
      }
      return MakeReject(
          entity, column,
          fmt::format("{} refers to no {} of this user", column.field, column.references), value);
    }
    return std::nullopt;
  }
  switch (column.def.type) {
    case ColumnType::kText:
    case ColumnType::kUlid: {
      std::optional<std::string> text = ScalarToText(value);
      if (!text) {
        return MakeReject(entity, column, fmt::format("{} is not a text value", column.field),
                          value);
      }
      *cell = std::move(*text);
      return std::nullopt;
    }
    case ColumnType::kInteger:
      if (std::optional<int64_t> integer = IntegerOf(value)) {
        *cell = *integer;
        return std::nullopt;
      }
      if (BigNumberText(value) || value.is_uint64()) {
        return MakeReject(
            entity, column,
            fmt::format("{} is a number beyond what a 64-bit integer column holds", column.field),
            value);
      }
      return MakeReject(entity, column, fmt::format("{} is not an integer", column.field), value);
    case ColumnType::kReal:
      if (value.is_number()) {
        *cell = double(value);
        return std::nullopt;
      }
      if (std::optional<std::string_view> big = BigNumberText(value)) {
        if (std::optional<double> number = BigNumberDouble(*big)) {
          *cell = *number;
          return std::nullopt;
        }
        return MakeReject(
            entity, column,
            fmt::format("{} is a number beyond the largest double a real column holds",
                        column.field),
            value);
      }
      return MakeReject(entity, column, fmt::format("{} is not a number", column.field), value);
    case ColumnType::kBoolean:
      if (value.is_bool()) {
        *cell = bool(value);
        return std::nullopt;
      }
      return MakeReject(entity, column, fmt::format("{} is not a boolean", column.field), value);
    case ColumnType::kJson: {
      std::string json;
      AppendJson(value, column.drop, &json);
      *cell = std::move(json);
      return std::nullopt;
    }
    case ColumnType::kTimestamp: {
      if (column.timestamp_format == "epoch_ms") {
        if (std::optional<int64_t> ms = EpochMillisOf(value)) {
          *cell = *ms;
          return std::nullopt;
        }
        return MakeReject(entity, column,
                          fmt::format("{} is not a time in epoch milliseconds", column.field),
                          value);
      }
      std::optional<int64_t> ms;
      if (value.is_string()) {
        ms = ParseRfc3339Millis(std::string_view(value));
      }
      if (!ms) {
        return MakeReject(entity, column,
                          fmt::format("{} is not an RFC 3339 date-time", column.field), value);
      }
      *cell = *ms;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool Contains(const std::vector<std::string>& paths, const std::string& path) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

// The paths of `paths` strictly below `field`, relative to it ("config.token" below "config"
// is "token").
std::vector<std::string> Below(const std::vector<std::string>& paths, const std::string& field) {
  std::vector<std::string> below;
  for (const std::string& path : paths) {
    if (path.size() > field.size() + 1 && path.compare(0, field.size(), field) == 0 &&
        path[field.size()] == '.') {
      below.push_back(path.substr(field.size() + 1));
    }
  }
  return below;
}

// Seals a value's JSON text under `prefix` + the relative path (sensitive: encrypt).
JsonSealer SealerFor(const EntityMapping& entity, const RecordContext& context,
                     std::string prefix) {
  return [&entity, ulid = context.ulid, prefix = std::move(prefix)](std::string_view json,
                                                                    const std::string& path) {
    return entity.sealer->Seal(json, ulid, prefix + path);
  };
}

// A `text` column takes a string record as it is (a `shape: text` value); anything else, and
// every `json` column, takes the record's JSON.
std::string RecordJson(const EntityMapping& entity, const ColumnMapping& column,
                       simdjson::dom::element record, const RecordContext& context) {
  if (column.def.type == ColumnType::kText && record.is_string()) {
    return std::string(std::string_view(record));
  }
  std::vector<std::string> drop = column.drop;
  for (const std::string& path : entity.sensitive) {
    if (!Contains(entity.sensitive_encrypt, path)) drop.push_back(path);
  }
  std::string json;
  AppendJson(record, drop, entity.sensitive_encrypt, SealerFor(entity, context, ""), &json);
  return json;
}

// The cell of a field column that `sensitive: drop | encrypt` changes: the field itself
// encrypted (a text column holds the sealed text, a json column it as a JSON string), or a
// json column holding a dropped or encrypted member. False for any other column.
bool SensitiveCell(const EntityMapping& entity, const ColumnMapping& column,
                   simdjson::dom::element value, const RecordContext& context, Cell* cell) {
  if (Contains(entity.sensitive_encrypt, column.field)) {
    std::string json;
    AppendJson(value, column.drop, &json);
    std::string sealed = entity.sealer->Seal(json, context.ulid, column.field);
    if (column.def.type == ColumnType::kJson) {
      json.clear();
      AppendJsonString(sealed, &json);
      *cell = std::move(json);
    } else {
      *cell = std::move(sealed);
    }
    return true;
  }
  if (column.def.type != ColumnType::kJson) return false;
  std::vector<std::string> drop = Below(entity.sensitive_drop, column.field);
  std::vector<std::string> seal = Below(entity.sensitive_encrypt, column.field);
  if (drop.empty() && seal.empty()) return false;
  drop.insert(drop.end(), column.drop.begin(), column.drop.end());
  std::string json;
  AppendJson(value, drop, seal, SealerFor(entity, context, column.field + "."), &json);
  *cell = std::move(json);
  return true;
}

}  // namespace

std::optional<Reject> MapRecord(const EntityMapping& entity, simdjson::dom::element record,
                                const RecordContext& context, const ReferenceResolver& resolve,
                                Row* row) {
  row->cells.assign(entity.columns.size(), Cell{});
  for (size_t i = 0; i < entity.columns.size(); ++i) {
    const ColumnMapping& column = entity.columns[i];
    Cell& cell = row->cells[i];
    switch (column.source) {
      case ColumnSource::kUser:
        cell = std::string(context.user_id);
        break;
      case ColumnSource::kLegacyId:
        cell = std::string(context.legacy_id);
        break;
      case ColumnSource::kUlid:
        cell = std::string(context.ulid);
        break;
      case ColumnSource::kKey:
        cell = std::string(context.key);
        break;
      case ColumnSource::kKeySuffix:
        cell = std::string(context.key_suffix);
        break;
      case ColumnSource::kOrigin:
        cell = std::string(context.origin);
        break;
      case ColumnSource::kRecord:
        cell = RecordJson(entity, column, record, context);
        break;
      case ColumnSource::kConstant:
        if (column.default_json) cell = DefaultCell(column);
        break;
      case ColumnSource::kStoreKey: {
        const std::string* value = nullptr;
        if (context.store) {
          auto found = context.store->find(column.field);
          if (found != context.store->end()) value = &found->second;
        }
        if (value) {
          cell = *value;
        } else if (column.default_json) {
          cell = DefaultCell(column);
        }
        break;
      }
      case ColumnSource::kField: {
        std::optional<simdjson::dom::element> value = FindField(record, column.field);
        if (!value || (value->is_null() && column.default_on_null)) {
          if (column.default_json) cell = DefaultCell(column);
        } else if (!value->is_null() && !SensitiveCell(entity, column, *value, context, &cell)) {
          if (auto reject = Convert(entity, column, *value, resolve, context.rejected, &cell)) {
            return reject;
          }
        }
        break;
      }
    }
    if (IsNull(cell) && !column.def.nullable) {
      return MakeReject(
          entity, column,
          fmt::format("{} is required but missing or null",
                      column.source == ColumnSource::kField ? column.field : column.def.name),
          std::nullopt);
    }
  }
  return std::nullopt;
}

Cell DefaultCell(const ColumnMapping& column) {
  const std::string& text = *column.default_json;
  if (text == "null") {
    return std::monostate{};
  }
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(text).get(element) != simdjson::SUCCESS) {
    return text;
  }
  switch (column.def.type) {
    case ColumnType::kBoolean:
      if (element.is_bool()) return bool(element);
      break;
    case ColumnType::kTimestamp:
      if (element.is_string()) {
        if (auto ms = ParseRfc3339Millis(std::string_view(element))) return *ms;
      }
      [[fallthrough]];
    case ColumnType::kInteger:
      if (element.is_int64()) return int64_t(element);
      break;
    case ColumnType::kReal:
      if (element.is_number()) return double(element);
      break;
    case ColumnType::kJson:
      return text;
    default:
      break;
  }
  if (element.is_string()) {
    return std::string(std::string_view(element));
  }
  return text;
}

}  // namespace ferry
