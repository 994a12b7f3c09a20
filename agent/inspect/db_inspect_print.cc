#include "agent/inspect/db_inspect_print.h"

#include <fmt/format.h>

#include "agent/inspect/id_kind.h"
#include "transformers/json_writer.h"

namespace ferry {

namespace {

std::string Joined(const std::vector<std::string>& parts, const char* separator = ", ") {
  std::string text;
  for (const std::string& part : parts) {
    text += (text.empty() ? "" : separator) + part;
  }
  return text;
}

// "integer 2000" or "uuid 1998, other 2": every kind present, the dominant first.
std::string TableIdKindsText(const DbTableFacts& table) {
  std::string dominant = DominantIdKind(table);
  std::string text;
  for (IdKind kind : kIdKinds) {
    int64_t count = table.id_kinds[static_cast<size_t>(kind)];
    if (count > 0) {
      std::string part = fmt::format("{} {}", IdKindName(kind), count);
      text = dominant == IdKindName(kind) ? part + (text.empty() ? "" : ", " + text)
                                          : text + (text.empty() ? "" : ", ") + part;
    }
  }
  return text.empty() ? dominant : text;
}

std::string Reference(const DbForeignKeyFacts& key) {
  return fmt::format("{}({}) -> {}({})", key.table, Joined(key.columns), key.parent,
                     Joined(key.parent_columns));
}

void AppendStrings(const std::vector<std::string>& items, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(items[i], out);
  }
  out->push_back(']');
}

}  // namespace

void PrintDatabaseTable(const DbInspectReport& report, std::ostream& out) {
  out << "database " << report.source << "\n\n";
  out << fmt::format("  {:<24} {:>10}  {:<16} {:<14} {}\n", "TABLE", "ROWS", "PRIMARY KEY",
                     "CREATED", "ID KINDS");
  for (const DbTableFacts& table : report.tables) {
    std::string key = table.primary_key.empty() ? "(rowid)" : Joined(table.primary_key);
    std::string created = table.creation_column.empty() ? "-" : table.creation_column;
    out << fmt::format("  {:<24} {:>10}  {:<16} {:<14} {}\n", table.name, table.rows, key, created,
                       TableIdKindsText(table));
  }
  out << "\nforeign keys (child -> parent): orphaned references\n";
  if (report.foreign_keys.empty()) out << "  none\n";
  for (const DbForeignKeyFacts& key : report.foreign_keys) {
    std::string note = key.parent_missing ? " (no such parent table)" : "";
    out << fmt::format("  {:<52} {}{}\n", Reference(key), key.orphans, note);
    for (const DbOrphan& orphan : key.examples) {
      out << fmt::format("      row {}: {} = {} has no parent\n", orphan.row_key,
                         Joined(key.columns), orphan.value);
    }
    if (key.orphans > static_cast<int64_t>(key.examples.size())) {
      out << fmt::format("      ... {} more\n",
                         key.orphans - static_cast<int64_t>(key.examples.size()));
    }
  }
  std::vector<std::string> without;
  for (const DbTableFacts& table : report.tables) {
    if (table.creation_column.empty()) without.push_back(table.name);
  }
  if (!without.empty()) {
    out << "\nno creation-time column (ULIDs would take the time of the run): " << Joined(without)
        << "\n";
  }
  if (!report.in_cycles.empty()) {
    out << "\nforeign keys form a cycle; cannot load parents first: " << Joined(report.in_cycles)
        << "\n";
  }
  if (!report.skipped.empty()) {
    out << "\nnot read: " << Joined(report.skipped) << "\n";
  }
}

std::string DatabaseJson(const DbInspectReport& report) {
  std::string out = "{\"source\":";
  AppendJsonString(report.source, &out);
  out += ",\"tables\":[";
  std::vector<std::string> without;
  for (size_t i = 0; i < report.tables.size(); ++i) {
    const DbTableFacts& table = report.tables[i];
    if (table.creation_column.empty()) without.push_back(table.name);
    out += i == 0 ? "{\"name\":" : ",{\"name\":";
    AppendJsonString(table.name, &out);
    out += fmt::format(",\"rows\":{},\"primary_key\":", table.rows);
    AppendStrings(table.primary_key, &out);
    out += ",\"id_kind\":";
    AppendJsonString(DominantIdKind(table), &out);
    out += ",\"id_kinds\":{";
    bool first = true;
    for (IdKind kind : kIdKinds) {
      int64_t count = table.id_kinds[static_cast<size_t>(kind)];
      if (count == 0) continue;
      out += fmt::format("{}\"{}\":{}", first ? "" : ",", IdKindName(kind), count);
      first = false;
    }
    out += "},\"creation_column\":";
    if (table.creation_column.empty()) {
      out += "null";
    } else {
      AppendJsonString(table.creation_column, &out);
    }
    out += "}";
  }
  out += "],\"foreign_keys\":[";
  for (size_t i = 0; i < report.foreign_keys.size(); ++i) {
    const DbForeignKeyFacts& key = report.foreign_keys[i];
    out += i == 0 ? "{\"table\":" : ",{\"table\":";
    AppendJsonString(key.table, &out);
    out += ",\"columns\":";
    AppendStrings(key.columns, &out);
    out += ",\"parent\":";
    AppendJsonString(key.parent, &out);
    out += ",\"parent_columns\":";
    AppendStrings(key.parent_columns, &out);
    out += fmt::format(",\"parent_missing\":{},\"orphans\":{},\"examples\":[",
                       key.parent_missing ? "true" : "false", key.orphans);
    for (size_t e = 0; e < key.examples.size(); ++e) {
      out += e == 0 ? "{\"row\":" : ",{\"row\":";
      AppendJsonString(key.examples[e].row_key, &out);
      out += ",\"value\":";
      AppendJsonString(key.examples[e].value, &out);
      out += "}";
    }
    out += "]}";
  }
  out += "],\"in_cycles\":";
  AppendStrings(report.in_cycles, &out);
  out += ",\"without_creation_column\":";
  AppendStrings(without, &out);
  out += ",\"skipped\":";
  AppendStrings(report.skipped, &out);
  out += "}";
  return out;
}

}  // namespace ferry
