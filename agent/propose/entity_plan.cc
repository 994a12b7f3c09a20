#include "agent/propose/entity_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "agent/propose/yaml_text.h"

namespace ferry::propose {

namespace {

// A field's values are mostly of one form: 9 in 10 (the rest are the app's bad data, which
// the schema will then reject by name).
bool Mostly(int64_t part, int64_t whole) { return whole > 0 && part * 10 >= whole * 9; }

std::string Squash(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  std::string squashed = Squash(name);
  return std::find(names.begin(), names.end(), squashed) != names.end();
}

enum class Time { kNone, kIso, kEpochMs };

Time TimeOf(const FieldProfile& field) {
  uint8_t kinds = field.UsualKinds() & ~kNull;
  if (kinds == kString && Mostly(field.date_times, field.non_null)) return Time::kIso;
  if (kinds == kInt && Mostly(field.epoch_ms, field.non_null)) {
    std::string squashed = Squash(field.name);
    for (std::string_view hint : {"at", "time", "date", "ts", "on"}) {
      if (squashed.size() >= hint.size() &&
          squashed.compare(squashed.size() - hint.size(), hint.size(), hint) == 0) {
        return Time::kEpochMs;
      }
    }
  }
  return Time::kNone;
}

// The JSON Schema type list of a field's kinds.
std::string SchemaTypes(uint8_t kinds) {
  std::vector<std::string> types;
  if (kinds & kNull) types.push_back("null");
  if (kinds & kBool) types.push_back("boolean");
  if (kinds & kReal) {
    types.push_back("number");
  } else if (kinds & kInt) {
    types.push_back("integer");
  }
  if (kinds & kString) types.push_back("string");
  if (kinds & kObject) types.push_back("object");
  if (kinds & kArray) types.push_back("array");
  // Quoted: a plain `null` in YAML is the null value, not the type name.
  if (types.size() == 1) return "\"" + types[0] + "\"";
  std::string list;
  for (const std::string& type : types) list += (list.empty() ? "" : ", ") + ("\"" + type + "\"");
  return "[" + list + "]";
}

std::string IdKindsText(uint8_t kinds) {
  if ((kinds & kInt) && (kinds & kString)) return "integers and strings";
  return (kinds & kInt) ? "integers" : "strings";
}

// The column type for a field: its one kind, else json.
std::string ColumnType(const FieldProfile& field, Time time) {
  if (time == Time::kIso) return "timestamp, format: iso8601";
  if (time == Time::kEpochMs) return "timestamp, format: epoch_ms";
  uint8_t kinds = field.UsualKinds() & ~kNull;
  if (kinds == kBool) return "boolean";
  if (kinds == kInt) return "integer";
  if (kinds == kReal || kinds == (kInt | kReal)) return "real";
  if (kinds == kString) return "text";
  return "json";
}

std::string FromPath(const std::string& name) {
  std::string step = PathStep(name);
  return YamlQuote(!step.empty() && step[0] == '$' ? "$" + step : step);
}

std::string ObjectSchema(const RecordProfile& records, const std::string& id_field) {
  if (records.too_many_fields() || records.fields().empty()) return "{type: object}";
  std::string properties;
  std::string required;
  for (const FieldProfile& field : records.fields()) {
    if (!field.secret.empty()) continue;  // never constrained: its value is never shown
    uint8_t kinds = field.UsualKinds();
    if (field.name == id_field) kinds &= ~kNull;  // a record without an id is rejected anyway
    std::string property = "type: " + SchemaTypes(kinds);
    if (TimeOf(field) == Time::kIso) property += ", format: date-time";
    properties += (properties.empty() ? "" : ", ") + YamlQuote(field.name) + ": {" + property + "}";
    bool always = field.present == records.objects() && field.non_null == field.present;
    if (field.name == id_field || (always && records.objects() >= 5)) {
      required += (required.empty() ? "" : ", ") + YamlQuote(field.name);
    }
  }
  std::string schema = "{type: object";
  if (!required.empty()) schema += ", required: [" + required + "]";
  return schema + ", properties: {" + properties + "}}";
}

// The legacy id field of the records: an integer or a string in 9 records in 10 (a record
// without one is rejected, naming it).
std::string IdField(const RecordProfile& records) {
  for (std::string_view candidate : {"id", "_id", "uuid", "guid", "key"}) {
    const FieldProfile* field = records.Find(candidate);
    if (field && field->secret.empty() && Mostly(field->non_null, records.objects()) &&
        (field->UsualKinds() & ~(kInt | kString | kNull)) == 0) {
      return field->name;
    }
  }
  return std::string();
}

std::string SourceSpec(const KeyGroup& group, const std::string& shape, bool name_origin) {
  std::string spec = group.prefix.empty() ? "{keys: [" + YamlQuote(group.key) + "]"
                                          : "{key_prefix: " + YamlQuote(group.prefix);
  spec += ", shape: " + shape;
  if (name_origin) spec += ", origin: " + YamlQuote(group.origin);
  return spec + "}";
}

std::string Describe(const KeyGroup& group) {
  std::string where = group.prefix.empty()
                          ? "key " + YamlQuote(CommentText(group.key))
                          : fmt::format("{} key(s) {}* (e.g. {})", group.keys,
                                        CommentText(group.prefix), CommentText(group.examples[0]));
  return where;
}

void AddSecrets(const RecordProfile& records, EntityPlan* plan) {
  for (const FieldProfile& field : records.fields()) {
    if (!field.secret.empty()) plan->sensitive.emplace_back(PathStep(field.name), field.secret);
  }
  for (const SecretPath& secret : records.nested_secrets()) {
    plan->sensitive.emplace_back(secret.path, secret.reason);
  }
}

// Records of an array, each with a legacy id: a row per record, a column per field.
EntityPlan PlanRecords(const KeyGroup& group, const std::string& name, bool name_origin,
                       const std::string& id_field) {
  const RecordProfile& records = group.records;
  EntityPlan plan;
  plan.name = name;
  plan.comments.push_back(fmt::format("{}: JSON arrays of {} record(s) in all; legacy ids: {}",
                                      Describe(group), records.records(),
                                      IdKindsText(records.Find(id_field)->UsualKinds())));
  plan.source = SourceSpec(group, "array", name_origin);
  plan.schema = ObjectSchema(records, id_field);
  std::string id = "{field: " + FromPath(id_field);
  for (const FieldProfile& field : records.fields()) {
    Time time = TimeOf(field);
    if (time == Time::kNone || !field.secret.empty()) continue;
    if (OneOf(field.name, {"createdat", "created", "createdon", "createdtime", "creationtime",
                           "creationdate", "timestamp"})) {
      id += ", time_field: " + FromPath(field.name);
      if (time == Time::kEpochMs) id += ", time_format: epoch_ms";
      break;
    }
  }
  plan.id = id + "}";
  for (const FieldProfile& field : records.fields()) {
    if (TimeOf(field) != Time::kNone && field.secret.empty() &&
        OneOf(field.name, {"updatedat", "updated", "modifiedat", "modified", "lastmodified",
                           "updatedon", "lastupdated"})) {
      plan.updated_field = FromPath(field.name);
      break;
    }
  }
  AddSecrets(records, &plan);
  plan.primary_key = {"id"};
  plan.unique = {"user_id", "legacy_id"};
  plan.columns.push_back({"id", "{type: ulid, from: $ulid}", ""});
  plan.columns.push_back({"user_id", "{type: text, from: $user, nullable: false}", ""});
  plan.columns.push_back({"legacy_id", "{type: text, from: $legacy_id, nullable: false}",
                          "the record's " + CommentText(id_field)});
  std::set<std::string> taken = {"id", "user_id", "legacy_id"};
  for (const FieldProfile& field : records.fields()) {
    if (field.name == id_field || !field.secret.empty()) continue;
    std::string column = SnakeName(field.name);
    for (int n = 2; taken.count(column); ++n)
      column = SnakeName(field.name) + fmt::format("_{}", n);
    taken.insert(column);
    std::string spec =
        "{type: " + ColumnType(field, TimeOf(field)) + ", from: " + FromPath(field.name);
    std::string drop;
    const std::string below = PathStep(field.name) + ".";
    for (const SecretPath& secret : records.nested_secrets()) {
      if (secret.path.compare(0, below.size(), below) == 0) {
        drop += (drop.empty() ? "" : ", ") + YamlQuote(secret.path.substr(below.size()));
      }
    }
    if (!drop.empty()) spec += ", drop: [" + drop + "]";
    plan.columns.push_back({column, spec + "}", ""});
  }
  return plan;
}

// One record per key (or per user, for a single key): the value kept whole.
EntityPlan PlanWhole(const KeyGroup& group, const std::string& name, bool name_origin,
                     ValueKind kind) {
  EntityPlan plan;
  plan.name = name;
  bool text = kind == ValueKind::kText || kind == ValueKind::kScalar;
  std::string what = kind == ValueKind::kObject           ? "a JSON object"
                     : kind == ValueKind::kArrayOfObjects ? "a JSON array of records without ids"
                     : kind == ValueKind::kOtherArray     ? "a JSON array"
                     : kind == ValueKind::kScalar         ? "a JSON scalar"
                                                          : "text (or values of several kinds)";
  plan.comments.push_back(Describe(group) + ": " + what + ", kept whole");
  plan.source = SourceSpec(group, text ? "text" : "record", name_origin);
  plan.schema = text                         ? "{type: string}"
                : kind == ValueKind::kObject ? ObjectSchema(group.records, "")
                                             : "{type: array}";
  if (kind == ValueKind::kObject) AddSecrets(group.records, &plan);
  plan.columns.push_back({"user_id", "{type: text, from: $user, nullable: false}", ""});
  if (group.prefix.empty()) {
    plan.id = "{field: $user}";
    plan.primary_key = {"user_id"};
  } else {
    plan.id = "{field: $key_suffix}";
    plan.primary_key = {"user_id", "name"};
    plan.columns.push_back({"name", "{type: text, from: $key_suffix, nullable: false}",
                            "the key after " + CommentText(group.prefix)});
  }
  plan.columns.push_back({text ? "value" : "data",
                          text ? "{type: text, from: $record}" : "{type: json, from: $record}",
                          ""});
  return plan;
}

}  // namespace

std::optional<EntityPlan> PlanEntity(const KeyGroup& group, const std::string& name,
                                     bool name_origin) {
  ValueKind kind = group.Kind();
  if (group.prefix.empty() && (kind == ValueKind::kText || kind == ValueKind::kScalar)) {
    return std::nullopt;
  }
  if (kind == ValueKind::kArrayOfObjects) {
    std::string id_field = IdField(group.records);
    if (!id_field.empty()) return PlanRecords(group, name, name_origin, id_field);
  }
  return PlanWhole(group, name, name_origin, kind);
}

EntityPlan PlanValuesEntity(const std::string& name, const std::string& origin,
                            const std::vector<std::string>& keys, bool name_origin) {
  EntityPlan plan;
  plan.name = name;
  plan.comments.push_back(
      fmt::format("{} single key(s) holding text or JSON scalars: a row per key", keys.size()));
  std::string list;
  for (const std::string& key : keys) list += (list.empty() ? "" : ", ") + YamlQuote(key);
  plan.source = "{keys: [" + list + "], shape: text";
  if (name_origin) plan.source += ", origin: " + YamlQuote(origin);
  plan.source += "}";
  plan.schema = "{type: string}";
  plan.id = "{field: $key}";
  plan.primary_key = {"user_id", "key"};
  plan.columns.push_back({"user_id", "{type: text, from: $user, nullable: false}", ""});
  plan.columns.push_back({"key", "{type: text, from: $key, nullable: false}", ""});
  plan.columns.push_back({"value", "{type: text, from: $record}", ""});
  return plan;
}

}  // namespace ferry::propose
