#include "agent/mapping/columns.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "agent/mapping/names.h"
#include "transformers/datetime.h"
#include "transformers/map_record.h"
#include "transformers/ulid.h"

namespace ferry {

namespace {

struct Special {
  const char* name;
  ColumnSource source;
};

constexpr Special kSpecials[] = {
    {"$user", ColumnSource::kUser},
    {"$legacy_id", ColumnSource::kLegacyId},
    {"$ulid", ColumnSource::kUlid},
    {"$record", ColumnSource::kRecord},
    {"$key_suffix", ColumnSource::kKeySuffix},
    {"$key", ColumnSource::kKey},
    {"$origin", ColumnSource::kOrigin},
};

constexpr char kStorePrefix[] = "$store.";  // "$store.schemaVersion": another key's value

std::string SpecialNames() {
  std::string out;
  for (const Special& s : kSpecials) {
    out += (out.empty() ? "" : ", ") + std::string(s.name);
  }
  return out + ", " + kStorePrefix + "KEY";
}

std::string TypeNames() {
  std::string out;
  for (ColumnType t :
       {ColumnType::kText, ColumnType::kInteger, ColumnType::kReal, ColumnType::kBoolean,
        ColumnType::kJson, ColumnType::kTimestamp, ColumnType::kUlid}) {
    out += (out.empty() ? "" : ", ") + std::string(ColumnTypeName(t));
  }
  return out;
}

// Empty when `value` may be the default of a column of `type`; else why not.
std::string DefaultProblem(const MappingJson& value, ColumnType type,
                           const std::string& timestamp_format) {
  if (value.is_null()) {
    return "";
  }
  // `schema up` may make the default a database DEFAULT (docs/schema-migrations.md): it must be
  // a value every target holds as written.
  if (value.is_string() && value.get<std::string>().find('\0') != std::string::npos) {
    return "a default cannot hold a NUL character (PostgreSQL text cannot)";
  }
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return "a default must fit a 64-bit signed integer";
  }
  switch (type) {
    case ColumnType::kText:
      return value.is_string() ? "" : "a text column's default must be a string";
    case ColumnType::kInteger:
      return value.is_number_integer() ? "" : "an integer column's default must be an integer";
    case ColumnType::kReal:
      return value.is_number() ? "" : "a real column's default must be a number";
    case ColumnType::kBoolean:
      return value.is_boolean() ? "" : "a boolean column's default must be true or false";
    case ColumnType::kJson:
      return "";
    case ColumnType::kTimestamp: {
      std::optional<int64_t> ms;
      if (timestamp_format == "epoch_ms") {
        if (!value.is_number_integer()) return "an epoch_ms default must be an integer";
        ms = value.get<int64_t>();
      } else if (value.is_string() && IsRfc3339DateTime(value.get<std::string>())) {
        ms = ParseRfc3339Millis(value.get<std::string>());
      } else {
        return "an iso8601 default must be an RFC 3339 date-time string";
      }
      // Both targets' range (PostgreSQL has no year 0).
      constexpr int64_t kYear1 = -62135596800000;
      constexpr int64_t kYear10000 = 253402300800000;
      return ms && *ms >= kYear1 && *ms < kYear10000
                 ? ""
                 : "a timestamp default must lie in the years 0001 to 9999";
    }
    case ColumnType::kUlid:
      return value.is_string() && DecodeUlid(value.get<std::string>()).ok()
                 ? ""
                 : "a ulid column's default must be a ULID";
  }
  return "";
}

// The text a value map gives for a YAML scalar (`1` -> "1", `true` -> "true").
std::string MapValueText(const MappingJson& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

Result<ColumnMapping> BuildColumn(const MappingDocument& doc, const std::string& pointer,
                                  const std::string& name, bool has_key_prefix) {
  const MappingJson& spec = *doc.Find(pointer);
  auto at = [&](const char* key) { return MappingDocument::Child(pointer, key); };
  auto has = [&](const char* key) { return spec.contains(key); };

  ColumnMapping column;
  column.def.name = name;
  std::string type_name = spec.at("type").get<std::string>();
  std::optional<ColumnType> type = ParseColumnType(type_name);
  if (!type) {
    return doc.Error(at("type"), "unknown column type " + QuoteMappingText(type_name) +
                                     " (one of " + TypeNames() + ")");
  }
  column.def.type = *type;
  column.def.nullable = spec.value("nullable", true);

  if (has("const")) {
    for (const char* other : {"from", "default", "default_on_null", "map", "references"}) {
      if (has(other)) {
        return doc.Error(at(other), std::string("'") + other + "' has no use with 'const'");
      }
    }
    column.source = ColumnSource::kConstant;
    column.default_json = spec.at("const").dump();
  } else {
    std::string from = spec.value("from", name);
    if (from.rfind("$$", 0) == 0) {  // "$$x": the field named "$x"
      column.field = from.substr(1);
    } else if (from.rfind(kStorePrefix, 0) == 0) {
      column.source = ColumnSource::kStoreKey;
      column.field = from.substr(sizeof(kStorePrefix) - 1);
      if (column.field.empty()) {
        return doc.Error(at("from"), "$store. needs the name of a key ($store.schemaVersion)");
      }
    } else if (from.rfind('$', 0) == 0) {
      const Special* special = nullptr;
      for (const Special& s : kSpecials) {
        special = from == s.name ? &s : special;
      }
      if (special == nullptr) {
        return doc.Error(at("from"), "unknown source " + QuoteMappingText(from) + " (one of " +
                                         SpecialNames() + "; a field named $x is written $$x)");
      }
      column.source = special->source;
    } else {
      column.field = from;
    }
    if (column.source == ColumnSource::kField) {
      std::string problem = FieldPathProblem(column.field);
      if (!problem.empty()) {
        return doc.Error(has("from") ? at("from") : pointer, "field path " + problem);
      }
    }
  }

  const std::string from_at = has("from") ? at("from") : pointer;
  switch (column.source) {
    case ColumnSource::kUlid:
      if (column.def.type != ColumnType::kUlid) {
        return doc.Error(from_at, "$ulid needs a column of type ulid");
      }
      break;
    case ColumnSource::kRecord:
      if (column.def.type != ColumnType::kJson && column.def.type != ColumnType::kText) {
        return doc.Error(from_at, "$record needs a column of type json or text");
      }
      break;
    case ColumnSource::kKeySuffix:
      if (!has_key_prefix) {
        return doc.Error(from_at, "$key_suffix needs the entity's source to have a key_prefix");
      }
      break;
    case ColumnSource::kStoreKey:
      if (column.def.type != ColumnType::kText) {
        return doc.Error(from_at, "$store.KEY needs a column of type text (the value is text)");
      }
      break;
    default:
      break;
  }
  bool from_field = column.source == ColumnSource::kField;

  if (has("default")) {
    if (!from_field && column.source != ColumnSource::kStoreKey) {
      return doc.Error(at("default"), "a default has no use: the source is never absent");
    }
    column.default_json = spec.at("default").dump();
  }
  if (spec.value("default_on_null", false)) {
    if (!has("default")) {
      return doc.Error(at("default_on_null"), "default_on_null needs a default");
    }
    column.default_on_null = true;
  }

  column.timestamp_format = spec.value("format", std::string("iso8601"));
  if (has("format") && column.def.type != ColumnType::kTimestamp) {
    return doc.Error(at("format"), "format is for timestamp columns");
  }
  if (column.default_json) {
    MappingJson value = MappingJson::parse(*column.default_json);
    std::string problem = DefaultProblem(value, column.def.type, column.timestamp_format);
    if (!problem.empty()) {
      return doc.Error(has("const") ? at("const") : at("default"), problem);
    }
    if (value.is_null() && !column.def.nullable && column.source == ColumnSource::kConstant) {
      return doc.Error(at("const"), "a column that is not nullable cannot always be null");
    }
    column.def.default_value = DefaultCell(column);
  }

  if (has("map")) {
    if (column.def.type != ColumnType::kText || !from_field) {
      return doc.Error(at("map"), "a value map is for text columns read from a field");
    }
    for (const auto& [key, value] : spec.at("map").items()) {
      column.value_map.emplace(key, MapValueText(value));
    }
  }
  if (has("on_unmapped")) {
    if (!has("map")) {
      return doc.Error(at("on_unmapped"), "on_unmapped needs a map");
    }
    column.reject_unmapped = spec.at("on_unmapped").get<std::string>() == "reject";
  }

  if (has("drop")) {
    if (column.def.type != ColumnType::kJson) {
      return doc.Error(at("drop"), "drop is for json columns");
    }
    size_t index = 0;
    for (const MappingJson& path : spec.at("drop")) {
      std::string problem = FieldPathProblem(path.get<std::string>());
      if (!problem.empty()) {
        return doc.Error(MappingDocument::Child(at("drop"), index), "path " + problem);
      }
      column.drop.push_back(path.get<std::string>());
      ++index;
    }
  }

  if (has("references")) {
    if (column.def.type != ColumnType::kUlid || !from_field) {
      return doc.Error(at("references"),
                       "a reference is a ulid column read from a field (the legacy id)");
    }
    column.references = spec.at("references").get<std::string>();
  }
  if (has("on_missing")) {
    if (!has("references")) {
      return doc.Error(at("on_missing"), "on_missing needs references");
    }
    // `on_missing: null` (as docs/mapping.md writes it) is a YAML null; "null" quoted is the word.
    const auto& on_missing = spec.at("on_missing");
    bool to_null = on_missing.is_null() || on_missing.get<std::string>() == "null";
    if (to_null && !column.def.nullable) {
      return doc.Error(at("on_missing"), "on_missing: null needs a nullable column");
    }
    column.on_missing = to_null ? OnMissingReference::kNull : OnMissingReference::kReject;
  }
  return column;
}

}  // namespace ferry
