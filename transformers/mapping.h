// Mapping: how records of a legacy store become rows of target tables.
//
// Built once from the mapping file (agent/mapping/loader.h), validated before any work
// starts, then read-only for the whole run (shared by every thread without locks).
// docs/mapping.md is the user-facing description of the file; this is its parsed form.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/row.h"
#include "loaders/loader.h"

namespace ferry {

class SchemaValidator;  // transformers/validate/schema_validator.h
class FieldSealer;      // transformers/field_seal.h

// Which localStorage keys hold an entity, and how its records sit in a value.
enum class SourceShape {
  kArray,   // the value is a JSON array of records
  kRecord,  // the value is one record
  kObject,  // the value is an object whose members are records (member name = legacy id)
  kText,    // the value is one record, the text itself as a JSON string (never parsed)
};

struct EntitySource {
  std::vector<std::string> keys;  // exact keys ("tasks")
  std::string key_prefix;         // or every key with this prefix ("formData:")
  SourceShape shape = SourceShape::kArray;
  std::string origin;  // optional: only entries of this origin
};

// Where a column's value comes from.
enum class ColumnSource {
  kField,      // a field of the record, by dotted path ("config.region")
  kUser,       // the run's user id ($user)
  kLegacyId,   // the record's legacy id as text ($legacy_id)
  kUlid,       // the ULID given to the record ($ulid)
  kRecord,     // the whole record, as JSON ($record)
  kKeySuffix,  // the localStorage key without the entity's key_prefix ($key_suffix)
  kKey,        // the localStorage key ($key)
  kOrigin,     // the localStorage origin ($origin)
  kConstant,   // no source: always the default
  kStoreKey,   // the value of another key of the same store and origin ($store.NAME), as text
};

// What to do when a reference names an identity that does not exist.
enum class OnMissingReference { kReject, kNull };

struct ColumnMapping {
  ColumnDef def;  // target name, type, nullable
  ColumnSource source = ColumnSource::kField;
  std::string field;  // kField: dotted path in the record; kStoreKey: the key
  // Used when the field is absent (and, when default_on_null, when it is null).
  // nullopt means "no default": an absent field becomes NULL (or a reject if !nullable).
  std::optional<std::string> default_json;  // the default as JSON text ("true", "null", "\"x\"")
  bool default_on_null = false;  // a null field takes the default too (else it stays null)
  // Value map applied to a text value ("todo" -> "pending"); empty means none.
  std::map<std::string, std::string> value_map;
  bool reject_unmapped = true;  // with a value_map: a value not in it is a reject
  // kTimestamp: the input format of the field: "iso8601" (RFC 3339) or "epoch_ms".
  std::string timestamp_format = "iso8601";
  // kJson: member paths removed from the value before it is stored ("githubToken").
  std::vector<std::string> drop;
  // A reference: the entity whose legacy id this field holds; the cell gets its ULID.
  std::string references;
  OnMissingReference on_missing = OnMissingReference::kReject;
};

struct EntityMapping {
  std::string name;  // entity name ("tasks")
  EntitySource source;
  std::string schema_file;  // path of the JSON Schema, resolved; empty when inline/none
  std::shared_ptr<const SchemaValidator> validator;  // null when the entity has no schema
  // Legacy id: the record field that holds it ("id"), or "$key_suffix" / "$key" / "$user".
  std::string id_field = "id";
  // The record field whose time becomes the ULID's time ("createdAt"); empty: now.
  std::string time_field;
  std::string time_format = "iso8601";
  // The record field for "newest wins" under merge ("updatedAt"); empty when none.
  std::string updated_field;
  // Fields whose values never appear in a reject file, a report or a log (dotted paths).
  std::vector<std::string> sensitive;
  // Of those, given as `sensitive: {PATH: drop | encrypt}` (docs/mapping.md): `drop` is left
  // out of every value stored (a $record or json column holding it); `encrypt` is stored
  // sealed wherever it is stored (transformers/field_seal.h), with the row's ULID.
  std::vector<std::string> sensitive_drop;
  std::vector<std::string> sensitive_encrypt;
  // The sealer of sensitive_encrypt, holding the field key: set by the run before the first
  // record (the mapping file never holds a key). REQUIRES: set when sensitive_encrypt is not
  // empty and records are mapped.
  std::shared_ptr<const FieldSealer> sealer;
  std::optional<ConflictPolicy> conflict;  // per-entity override of --conflict
  TableDef table;
  std::vector<ColumnMapping> columns;  // same order as table.columns
  int ulid_column = -1;                // index of the column holding $ulid, or -1
  std::vector<std::string> parents;    // entities referenced by columns (derived)
};

struct Mapping {
  std::string name;  // "taskapp"
  std::string file;  // where it was read from ("<embedded>" for the default)
  std::optional<ConflictPolicy> conflict;
  std::vector<EntityMapping> entities;  // in load order: parents before children
  // `ignore`: keys left out on purpose (a secret, a cache); shape unused. Counted as ignored.
  std::vector<EntitySource> ignored;
  // The entity with this name, or null.
  const EntityMapping* Find(const std::string& entity) const;
};

}  // namespace ferry
