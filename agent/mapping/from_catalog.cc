#include "agent/mapping/from_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "agent/mapping/names.h"
#include "agent/propose/yaml_text.h"
#include "extractors/sqlite/table_order.h"

namespace ferry {

namespace {

using sqlite_source::CatalogColumn;
using sqlite_source::CatalogTable;
using sqlite_source::ForeignKey;

// Every name and path is written as a YAML double-quoted scalar by the stores' proposer's
// quoting (agent/propose/yaml_text.h), so that the loader reads back exactly the name.
std::string Quoted(std::string_view text) { return propose::YamlQuote(text); }

// A column name as a mapping field path: '.' and '\' escaped, a leading '$' doubled.
std::string FieldPath(std::string_view column) {
  std::string path = !column.empty() && column[0] == '$' ? "$" : "";
  for (char c : column) {
    if (c == '.' || c == '\\') {
      path += '\\';
    }
    path += c;
  }
  return path;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

bool Has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// The mapping type of a column, by SQLite's affinity rules (sqlite.org/datatype3.html, 3.1),
// with dates, booleans and JSON recognised first; `format` is set for a timestamp.
std::string CatalogTypeName(const CatalogColumn& column, bool creation, std::string* format) {
  std::string type = Upper(column.declared_type);
  bool integer = Has(type, "INT");
  if (creation || Has(type, "DATE") || Has(type, "TIME")) {
    *format = integer ? "epoch_ms" : "iso8601";
    return "timestamp";
  }
  if (Has(type, "BOOL")) return "boolean";
  if (Has(type, "JSON")) return "json";
  if (integer) return "integer";
  if (Has(type, "CHAR") || Has(type, "CLOB") || Has(type, "TEXT")) return "text";
  if (Has(type, "REAL") || Has(type, "FLOA") || Has(type, "DOUB")) return "real";
  return "text";  // BLOB (read as hex), NUMERIC and no type: kept as text
}

const ForeignKey* ForeignKeyOf(const CatalogTable& table, const std::string& column) {
  for (const ForeignKey& key : table.foreign_keys) {
    if (key.columns.size() == 1 && key.columns[0] == column) return &key;
  }
  return nullptr;
}

// Why `table` cannot be an entity of the proposal, or "".
std::string NotProposable(const CatalogTable& table) {
  if (table.primary_key.empty()) return "no primary key";
  if (table.primary_key.size() > 1) return "a composite primary key";
  if (std::string problem = EntityNameProblem(table.name); !problem.empty()) {
    return "its name " + problem;
  }
  if (std::string problem = IdentifierProblem(table.primary_key[0]); !problem.empty()) {
    return "the name of its key " + problem;
  }
  return "";
}

std::string LegacyColumn(const CatalogTable& table) {
  std::string name = "legacy_id";
  auto taken = [&table](const std::string& candidate) {
    return std::any_of(table.columns.begin(), table.columns.end(),
                       [&candidate](const CatalogColumn& c) { return c.name == candidate; });
  };
  while (taken(name)) name = "_" + name;
  return name;
}

void ProposeColumn(const sqlite_source::Catalog& catalog, const CatalogTable& table,
                   const std::set<std::string>& proposed, const CatalogColumn& column,
                   std::string* out) {
  if (std::string problem = IdentifierProblem(column.name); !problem.empty()) {
    *out += fmt::format("      # column {} left out: its name {}\n", Quoted(column.name), problem);
    return;
  }
  std::string key = fmt::format("      {}: ", Quoted(column.name));
  std::string from = Quoted(FieldPath(column.name));
  const ForeignKey* reference = ForeignKeyOf(table, column.name);
  const CatalogTable* parent = reference ? catalog.Find(reference->parent) : nullptr;
  // A self-reference too: the run loads it in two passes (agent/run/entity_pass.h).
  if (parent != nullptr && proposed.count(parent->name) != 0 &&
      reference->parent_columns[0] == parent->primary_key[0]) {
    *out += fmt::format("{}{{type: ulid, from: {}, references: {}, on_missing: reject{}}}\n", key,
                        from, Quoted(parent->name), column.not_null ? ", nullable: false" : "");
    return;
  }
  if (reference != nullptr) {
    const char* why = "its parent is not an entity of this mapping";
    if (parent != nullptr && proposed.count(parent->name) != 0) {
      why = "it names a column other than its parent's key";
    }
    *out += fmt::format("      # {} -> {}: {}; the old value is kept as it is\n",
                        Quoted(column.name), Quoted(reference->parent), why);
  }
  std::string format;
  std::string type = CatalogTypeName(column, column.name == table.creation_column, &format);
  if (reference != nullptr) type = "text", format.clear();
  *out += fmt::format("{}{{type: {}, from: {}{}{}}}\n", key, type, from,
                      format.empty() ? "" : ", format: " + format,
                      column.not_null ? ", nullable: false" : "");
}

void ProposeEntity(const sqlite_source::Catalog& catalog, const CatalogTable& table,
                   const std::set<std::string>& proposed, std::string* out) {
  const std::string& key = table.primary_key[0];
  std::string legacy = LegacyColumn(table);
  *out += fmt::format("  {}:\n", Quoted(table.name));
  *out += fmt::format("    source: {{keys: [{}], shape: record}}\n", Quoted(table.name));
  std::string time;
  if (!table.creation_column.empty()) {
    std::string format;
    for (const CatalogColumn& column : table.columns) {
      if (column.name == table.creation_column) CatalogTypeName(column, true, &format);
    }
    time = fmt::format(", time_field: {}, time_format: {}",
                       Quoted(FieldPath(table.creation_column)), format);
  } else {
    *out += "    # no creation-time column: these ULIDs take the time of the run\n";
  }
  *out += fmt::format("    id: {{field: {}{}}}\n", Quoted(FieldPath(key)), time);
  *out += fmt::format("    primary_key: [{}]\n", Quoted(key));
  *out += fmt::format("    unique: [[{}]]\n", Quoted(legacy));
  *out += "    columns:\n";
  for (const CatalogColumn& column : table.columns) {
    if (column.name == key) {
      *out += fmt::format("      {}: {{type: ulid, from: $ulid}}\n", Quoted(key));
      *out += fmt::format("      {}: {{type: text, from: $legacy_id, nullable: false}}\n",
                          Quoted(legacy));
      continue;
    }
    ProposeColumn(catalog, table, proposed, column, out);
  }
}

}  // namespace

std::string ProposeMappingFromCatalog(const sqlite_source::Catalog& catalog,
                                      const std::string& name) {
  std::string out = fmt::format(
      "# Proposed by ferry from the catalog of a database (docs/database-sources.md).\n"
      "version: 1\nname: {}\nconflict: skip\nentities:\n",
      Quoted(name));
  std::set<std::string> proposed;
  for (const CatalogTable& table : catalog.tables) {
    if (NotProposable(table).empty()) proposed.insert(table.name);
  }
  for (const std::string& name_of_table : sqlite_source::ParentsFirst(catalog).tables) {
    const CatalogTable& table = *catalog.Find(name_of_table);
    if (std::string why = NotProposable(table); !why.empty()) {
      out += fmt::format("  # table {}: {}; not proposed\n", Quoted(table.name), why);
      continue;
    }
    ProposeEntity(catalog, table, proposed, &out);
  }
  return out;
}

}  // namespace ferry
