#include "agent/mapping/builder.h"

#include <set>
#include <unordered_map>
#include <utility>

#include "agent/mapping/columns.h"
#include "agent/mapping/indexes.h"
#include "agent/mapping/names.h"
#include "agent/mapping/order.h"
#include "agent/mapping/sensitive.h"
#include "transformers/validate/schema_validator.h"

namespace ferry {

namespace {

constexpr size_t kMaxEntities = 1000;
constexpr size_t kMaxColumns = 1600;           // PostgreSQL's limit per table
const char kReservedTablePrefix[] = "ferry_";  // SQLite targets keep bookkeeping tables there

using Json = MappingJson;

class Builder {
 public:
  Builder(const MappingDocument& doc, const MappingFiles& files) : doc_(doc), files_(files) {}

  Result<Mapping> Build() {
    const Json& root = doc_.root();
    Mapping mapping;
    mapping.name = root.at("name").get<std::string>();
    mapping.file = doc_.file();
    if (root.contains("conflict")) {
      mapping.conflict = ParseConflictPolicy(root.at("conflict").get<std::string>());
    }
    const std::string entities_at = "/entities";
    if (root.at("entities").size() > kMaxEntities) {
      return doc_.Error(entities_at, "more than " + std::to_string(kMaxEntities) + " entities");
    }
    std::unordered_map<std::string, std::string> tables;  // lowered table name -> entity
    for (const auto& [name, spec] : root.at("entities").items()) {
      (void)spec;
      FERRY_ASSIGN_OR_RETURN(EntityMapping entity,
                             BuildEntity(MappingDocument::Child(entities_at, name), name));
      auto [it, fresh] = tables.emplace(AsciiLower(entity.table.name), name);
      if (!fresh) {
        return doc_.Error(TableAt(name), "table " + QuoteMappingText(entity.table.name) +
                                             " is also written by entity " +
                                             QuoteMappingText(it->second));
      }
      entity.table.mapping = mapping.name;
      entity.table.entity = name;
      mapping.entities.push_back(std::move(entity));
    }
    if (root.contains("ignore")) {
      for (size_t i = 0; i < root.at("ignore").size(); ++i) {
        EntitySource ignored;
        FERRY_RETURN_IF_ERROR(
            BuildSource(MappingDocument::Child("/ignore", std::to_string(i)), &ignored));
        mapping.ignored.push_back(std::move(ignored));
      }
    }
    FERRY_RETURN_IF_ERROR(CheckReferences(mapping));
    FERRY_RETURN_IF_ERROR(CheckIndexNames(doc_, mapping));
    mapping.entities = SortParentsFirst(std::move(mapping.entities));
    return mapping;
  }

 private:
  std::string TableAt(const std::string& entity) const {
    std::string e = MappingDocument::Child("/entities", entity);
    return doc_.Find(MappingDocument::Child(e, "table")) ? MappingDocument::Child(e, "table") : e;
  }

  Result<EntityMapping> BuildEntity(const std::string& at, const std::string& name) {
    const Json& spec = *doc_.Find(at);
    auto child = [&](const char* key) { return MappingDocument::Child(at, key); };
    EntityMapping entity;
    entity.name = name;
    std::string problem = EntityNameProblem(name);
    if (!problem.empty()) {
      return doc_.ErrorAtKey("/entities", name, "entity name " + problem);
    }
    FERRY_RETURN_IF_ERROR(BuildSource(child("source"), &entity.source));
    bool has_prefix = !entity.source.key_prefix.empty();

    entity.table.name = spec.value("table", name);
    problem = IdentifierProblem(entity.table.name);
    if (!problem.empty()) {
      return doc_.Error(spec.contains("table") ? child("table") : at, "table name " + problem);
    }
    if (AsciiLower(entity.table.name).rfind(kReservedTablePrefix, 0) == 0) {
      return doc_.Error(
          spec.contains("table") ? child("table") : at,
          std::string("table names starting with '") + kReservedTablePrefix + "' are ferry's own");
    }

    const std::string columns_at = child("columns");
    if (spec.at("columns").size() > kMaxColumns) {
      return doc_.Error(columns_at, "more than " + std::to_string(kMaxColumns) + " columns");
    }
    std::unordered_map<std::string, std::string> lowered;  // SQLite: names are case-blind
    for (const auto& [column_name, column_spec] : spec.at("columns").items()) {
      (void)column_spec;
      problem = IdentifierProblem(column_name);
      if (!problem.empty()) {
        return doc_.ErrorAtKey(columns_at, column_name, "column name " + problem);
      }
      auto [it, fresh] = lowered.emplace(AsciiLower(column_name), column_name);
      if (!fresh) {
        return doc_.ErrorAtKey(columns_at, column_name,
                               "column " + QuoteMappingText(column_name) + " and column " +
                                   QuoteMappingText(it->second) +
                                   " differ only in case (one column in SQLite)");
      }
      std::string column_at = MappingDocument::Child(columns_at, column_name);
      FERRY_ASSIGN_OR_RETURN(ColumnMapping column,
                             BuildColumn(doc_, column_at, column_name, has_prefix));
      if (column.source == ColumnSource::kUlid) {
        if (entity.ulid_column >= 0) {
          return doc_.Error(
              column_at, "a second $ulid column (the first is " +
                             QuoteMappingText(entity.columns[entity.ulid_column].def.name) + ")");
        }
        entity.ulid_column = static_cast<int>(entity.columns.size());
      }
      if (!column.references.empty()) {
        references_.push_back(
            {name, column.references, MappingDocument::Child(column_at, "references")});
        // A self-reference (tasks.parent_id) orders nothing: the run loads such an entity in
        // two passes (agent/run/entity_pass.h), so it is no cycle.
        bool known = column.references == name;
        for (const std::string& p : entity.parents) {
          known = known || p == column.references;
        }
        if (!known) {
          entity.parents.push_back(column.references);
        }
      }
      entity.table.columns.push_back(column.def);
      entity.columns.push_back(std::move(column));
    }

    FERRY_RETURN_IF_ERROR(BuildKeys(at, &entity));
    FERRY_RETURN_IF_ERROR(BuildIndexes(doc_, child("indexes"), &entity));
    FERRY_RETURN_IF_ERROR(BuildId(at, has_prefix, &entity));
    entity.table.key_from_identity = KeyFromIdentityParts(entity);
    if (spec.contains("updated_field")) {
      entity.updated_field = spec.at("updated_field").get<std::string>();
      FERRY_RETURN_IF_ERROR(CheckPath(child("updated_field"), entity.updated_field));
    }
    if (spec.contains("sensitive") && spec.at("sensitive").is_object()) {
      // The map form: {PATH: drop | encrypt} (agent/mapping/sensitive.h).
      for (const auto& [path, action] : spec.at("sensitive").items()) {
        entity.sensitive.push_back(path);
        (action.get<std::string>() == "encrypt" ? entity.sensitive_encrypt : entity.sensitive_drop)
            .push_back(path);
        FERRY_RETURN_IF_ERROR(CheckPath(MappingDocument::Child(child("sensitive"), path), path));
      }
      if (std::string refusal = SensitiveRefusal(entity); !refusal.empty()) {
        return doc_.Error(child("sensitive"), refusal);
      }
    } else if (spec.contains("sensitive")) {
      size_t index = 0;
      for (const Json& path : spec.at("sensitive")) {
        entity.sensitive.push_back(path.get<std::string>());
        FERRY_RETURN_IF_ERROR(CheckPath(MappingDocument::Child(child("sensitive"), index++),
                                        entity.sensitive.back()));
      }
    }
    if (spec.contains("conflict")) {
      entity.conflict = ParseConflictPolicy(spec.at("conflict").get<std::string>());
      if (entity.conflict == ConflictPolicy::kMerge && entity.updated_field.empty()) {
        return doc_.Error(child("conflict"),
                          "merge needs updated_field (the field that says which is newer)");
      }
    }
    if (spec.contains("schema")) {
      FERRY_RETURN_IF_ERROR(BuildSchema(child("schema"), &entity));
    }
    return entity;
  }

  Status BuildSource(const std::string& at, EntitySource* source) {
    const Json& spec = *doc_.Find(at);
    bool has_keys = spec.contains("keys");
    bool has_prefix = spec.contains("key_prefix");
    if (has_keys == has_prefix) {
      return doc_.Error(at, has_keys ? "source takes keys or key_prefix, not both"
                                     : "source needs keys or key_prefix");
    }
    if (has_keys) {
      source->keys = spec.at("keys").get<std::vector<std::string>>();
    } else {
      source->key_prefix = spec.at("key_prefix").get<std::string>();
    }
    std::string shape = spec.value("shape", std::string("array"));
    source->shape = shape == "record"   ? SourceShape::kRecord
                    : shape == "object" ? SourceShape::kObject
                    : shape == "text"   ? SourceShape::kText
                                        : SourceShape::kArray;
    source->origin = spec.value("origin", std::string());
    return Status::OK();
  }

  // primary_key and unique: column names of this entity, none twice.
  Status BuildKeys(const std::string& at, EntityMapping* entity) {
    const Json& spec = *doc_.Find(at);
    std::string pk_at = MappingDocument::Child(at, "primary_key");
    FERRY_RETURN_IF_ERROR(CheckKeyColumns(pk_at, *entity));
    entity->table.primary_key = spec.at("primary_key").get<std::vector<std::string>>();
    const Json& columns = spec.at("columns");
    for (const std::string& key : entity->table.primary_key) {
      int index = entity->table.ColumnIndex(key);
      if (columns.at(key).value("nullable", false)) {
        return doc_.Error(MappingDocument::Child(MappingDocument::Child(at, "columns"), key),
                          "a primary key column cannot be nullable");
      }
      entity->table.columns[index].nullable = false;
      entity->columns[index].def.nullable = false;
    }
    if (spec.contains("unique")) {
      std::string unique_at = MappingDocument::Child(at, "unique");
      for (size_t i = 0; i < spec.at("unique").size(); ++i) {
        FERRY_RETURN_IF_ERROR(CheckKeyColumns(MappingDocument::Child(unique_at, i), *entity));
        entity->table.unique.push_back(spec.at("unique").at(i).get<std::vector<std::string>>());
      }
    }
    return Status::OK();
  }

  Status CheckKeyColumns(const std::string& at, const EntityMapping& entity) {
    std::set<std::string> seen;
    size_t index = 0;
    for (const Json& name : *doc_.Find(at)) {
      std::string column = name.get<std::string>();
      std::string item_at = MappingDocument::Child(at, index++);
      if (entity.table.ColumnIndex(column) < 0) {
        return doc_.Error(item_at, "no column " + QuoteMappingText(column) + " in entity " +
                                       QuoteMappingText(entity.name));
      }
      if (!seen.insert(column).second) {
        return doc_.Error(item_at, "column " + QuoteMappingText(column) + " named twice");
      }
    }
    return Status::OK();
  }

  // TableDef::key_from_identity: which part of the id-map row each primary-key column holds,
  // as MapRecord writes it (a text column, no value map), or nothing when one holds another.
  static std::vector<IdentityPart> KeyFromIdentityParts(const EntityMapping& entity) {
    std::vector<IdentityPart> parts;
    for (const std::string& name : entity.table.primary_key) {
      const ColumnMapping& column = entity.columns[entity.table.ColumnIndex(name)];
      const ColumnType type = column.def.type;
      const ColumnSource source = column.source;
      const bool text = type == ColumnType::kText && column.value_map.empty();
      if (source == ColumnSource::kUlid && type == ColumnType::kUlid) {
        parts.push_back(IdentityPart::kUlid);
      } else if (text && source == ColumnSource::kUser) {
        parts.push_back(IdentityPart::kUser);
      } else if (text &&
                 (source == ColumnSource::kLegacyId ||
                  (source == ColumnSource::kKeySuffix && entity.id_field == "$key_suffix") ||
                  (source == ColumnSource::kKey && entity.id_field == "$key"))) {
        parts.push_back(IdentityPart::kLegacyId);
      } else {
        return {};
      }
    }
    return parts;
  }

  Status BuildId(const std::string& at, bool has_prefix, EntityMapping* entity) {
    const Json& spec = *doc_.Find(at);
    if (entity->source.shape == SourceShape::kObject) {
      entity->id_field = "$member";  // the member name is the legacy id
    }
    if (!spec.contains("id")) {
      return Status::OK();  // field "id" ($member for objects); the ULID's time is now
    }
    const std::string id_at = MappingDocument::Child(at, "id");
    const Json& id = spec.at("id");
    auto child = [&](const char* key) { return MappingDocument::Child(id_at, key); };
    entity->id_field = id.value("field", entity->id_field);
    if (entity->id_field.rfind('$', 0) == 0) {
      if (entity->id_field != "$key_suffix" && entity->id_field != "$key" &&
          entity->id_field != "$user" && entity->id_field != "$member") {
        return doc_.Error(child("field"),
                          "unknown id source " + QuoteMappingText(entity->id_field) +
                              " (a field, or one of $key_suffix, $key, $user, $member)");
      }
      if (entity->id_field == "$key_suffix" && !has_prefix) {
        return doc_.Error(child("field"),
                          "$key_suffix needs the entity's source to have a key_prefix");
      }
      if (entity->id_field == "$member" && entity->source.shape != SourceShape::kObject) {
        return doc_.Error(child("field"), "$member needs the source's shape to be object");
      }
    } else {
      FERRY_RETURN_IF_ERROR(CheckPath(child("field"), entity->id_field));
    }
    if (id.contains("time_field")) {
      entity->time_field = id.at("time_field").get<std::string>();
      FERRY_RETURN_IF_ERROR(CheckPath(child("time_field"), entity->time_field));
      if (entity->ulid_column < 0) {
        return doc_.Error(child("time_field"),
                          "time_field has no use: no column of this entity is from $ulid");
      }
    }
    entity->time_format = id.value("time_format", std::string("iso8601"));
    return Status::OK();
  }

  Status CheckPath(const std::string& at, const std::string& path) {
    std::string problem = FieldPathProblem(path);
    return problem.empty() ? Status::OK() : doc_.Error(at, "field path " + problem);
  }

  Status BuildSchema(const std::string& at, EntityMapping* entity) {
    const Json& spec = *doc_.Find(at);
    std::string text;
    std::string name;
    if (spec.is_string()) {
      Result<std::string> read = files_.Read(spec.get<std::string>(), &name);
      if (!read.ok()) {
        return doc_.Error(at, "cannot read the schema: " + read.status().message());
      }
      text = std::move(read).value();
      entity->schema_file = name;
    } else {
      text = spec.dump();
      name = "(inline)";  // the error is placed at the `schema` key anyway
    }
    Result<std::unique_ptr<SchemaValidator>> compiled = SchemaValidator::Compile(text, name);
    if (!compiled.ok()) {
      return doc_.Error(at, "bad schema: " + compiled.status().message());
    }
    entity->validator = std::shared_ptr<const SchemaValidator>(std::move(compiled).value());
    return Status::OK();
  }

  // Every reference names an entity with a $ulid column, and references make no cycle.
  Status CheckReferences(const Mapping& mapping) {
    for (const Reference& ref : references_) {
      const EntityMapping* parent = mapping.Find(ref.parent);
      if (parent == nullptr) {
        return doc_.Error(ref.at, "references unknown entity " + QuoteMappingText(ref.parent));
      }
      if (parent->ulid_column < 0) {
        return doc_.Error(
            ref.at, "entity " + QuoteMappingText(ref.parent) + " has no $ulid column to reference");
      }
    }
    std::vector<std::string> cycle = FindReferenceCycle(mapping.entities);
    if (cycle.empty()) {
      return Status::OK();
    }
    std::string text;
    for (const std::string& name : cycle) {
      text += (text.empty() ? "" : " → ") + name;
    }
    for (const Reference& ref : references_) {
      if (ref.child == cycle[0] && ref.parent == cycle[1]) {
        return doc_.Error(ref.at, "reference cycle: " + text);
      }
    }
    return Status::InvalidArgument(doc_.file() + ": reference cycle: " + text);
  }

  struct Reference {
    std::string child;   // the entity whose column refers
    std::string parent;  // the entity referred to
    std::string at;      // pointer of the `references` value
  };

  const MappingDocument& doc_;
  const MappingFiles& files_;
  std::vector<Reference> references_;
};

}  // namespace

Result<Mapping> BuildMapping(const MappingDocument& doc, const MappingFiles& files) {
  try {
    return Builder(doc, files).Build();
  } catch (const std::exception& e) {  // a type the structure check should have refused
    return Status::Internal(doc.file() + ": mapping builder: " + e.what());
  }
}

}  // namespace ferry
