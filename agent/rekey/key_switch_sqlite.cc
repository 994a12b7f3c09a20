#include "agent/rekey/key_switch_sqlite.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace ferry {

namespace {

// Definitions the rebuild, which writes a table's text anew from its pragmas, cannot carry
// over: refused rather than lost.
// CONSTRAINT: a named constraint, whose name the pragmas do not give back.
constexpr const char* kUnsupported[] = {"CHECK",  "COLLATE",    "GENERATED", "AUTOINCREMENT",
                                        "STRICT", "DEFERRABLE", "WITHOUT",   "CONSTRAINT"};

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `word` (upper case) is in `text` (upper case) as a word of its own.
bool HasWord(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    bool before = at > 0 && IsWordChar(text[at - 1]);
    bool after = at + word.size() < text.size() && IsWordChar(text[at + word.size()]);
    if (!before && !after) return true;
  }
  return false;
}

std::string SqliteTableList(const RekeyPlan& group) {
  std::string list;
  for (const RekeyTable& table : group.tables) {
    list += (list.empty() ? "" : ", ") + SqlLiteral(table.name);
  }
  return list;
}

std::string Names(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + SqlName(name);
  return list;
}

// A column's name after the switch (`back` false) or before it (`back` true), from its name now.
std::string Renamed(const RekeyTable& table, const std::string& column, bool back) {
  for (const std::string& name : SwitchedColumns(table)) {
    if (!back) {
      if (column == name) return LegacyColumnOf(name);
      if (column == UlidColumnOf(name)) return name;
    } else {
      if (column == LegacyColumnOf(name)) return name;
      if (column == name) return UlidColumnOf(name);
    }
  }
  return column;
}

Status CheckNothingInTheWay(RekeySql& sql, const RekeyPlan& group) {
  TextRows views;
  FERRY_RETURN_IF_ERROR(
      sql.Select("SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY name", &views));
  for (const auto& view : views) {
    std::string text = Upper(view[1].value_or(""));
    for (const RekeyTable& table : group.tables) {
      if (HasWord(text, Upper(table.name))) {
        return Status::InvalidArgument(fmt::format(
            "view {} reads table {}: a switch renames that table's key columns, which would "
            "change what the view shows; drop the view, switch, and create it again",
            view[0].value_or(""), table.name));
      }
    }
  }
  TextRows tables;
  FERRY_RETURN_IF_ERROR(
      sql.Select("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                 "'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                 &tables));
  for (const auto& row : tables) {
    const std::string name = row[0].value_or("");
    const RekeyTable* own = group.Find(name);
    if (own != nullptr) {
      std::string text = Upper(row[1].value_or(""));
      for (const char* word : kUnsupported) {
        if (HasWord(text, word)) {
          return Status::InvalidArgument(fmt::format(
              "table {} is defined with {}, which a switch on SQLite (a rebuild of the table "
              "from its catalog) cannot carry over yet: switch on PostgreSQL, or use add or "
              "hybrid",
              name, word));
        }
      }
      continue;
    }
    TextRows keys;
    FERRY_RETURN_IF_ERROR(sql.Select(
        fmt::format("SELECT \"table\", \"to\" FROM pragma_foreign_key_list({})", SqlLiteral(name)),
        &keys));
    for (const auto& key : keys) {
      const RekeyTable* parent = group.Find(key[0].value_or(""));
      if (parent == nullptr) continue;
      std::vector<std::string> moved = SwitchedColumns(*parent);
      if (key[1] && std::find(moved.begin(), moved.end(), *key[1]) == moved.end()) continue;
      return Status::InvalidArgument(fmt::format(
          "a foreign key of table {} references {}, whose key a switch moves, and {} is not in "
          "the plan: add it to the plan (or drop the key) before switching",
          name, parent->name, name));
    }
  }
  return Status::OK();
}

// The CREATE TABLE of `table` after the switch, from its pragmas: each column under its new
// name; the primary key, unique and foreign keys naming the same columns as before, which are
// the ULID columns now; the ULID key NOT NULL, the legacy key without the NOT NULL its primary
// key gave it. *copy gets the INSERT ... SELECT from `old_name`; *constraints counts the keys.
Status NewTable(RekeySql& sql, const RekeyTable& table, const std::string& old_name,
                std::string* create, std::string* copy, int* constraints) {
  TextRows columns;
  FERRY_RETURN_IF_ERROR(
      sql.Select(fmt::format("SELECT name, type, \"notnull\", dflt_value, pk FROM "
                             "pragma_table_info({}) ORDER BY cid",
                             SqlLiteral(table.name)),
                 &columns));
  std::vector<std::string> parts;
  std::vector<std::string> old_names;
  std::vector<std::string> new_names;
  std::map<int, std::string> primary;
  for (const auto& column : columns) {
    const std::string name = column[0].value_or("");
    const std::string renamed = Renamed(table, name, /*back=*/false);
    bool not_null = column[2] == "1" && name != table.key;
    if (renamed == table.key) not_null = true;
    std::string part = SqlName(renamed);
    if (column[1] && !column[1]->empty()) part += " " + *column[1];
    if (not_null) part += " NOT NULL";
    if (column[3]) part += " DEFAULT " + *column[3];
    parts.push_back(part);
    old_names.push_back(name);
    new_names.push_back(renamed);
    int pk = std::stoi(column[4].value_or("0"));
    if (pk > 0) primary[pk] = name;
  }
  if (!primary.empty()) {
    std::vector<std::string> key;
    for (const auto& [position, name] : primary) key.push_back(name);
    parts.push_back(fmt::format("PRIMARY KEY ({})", Names(key)));
    ++*constraints;
  }
  TextRows uniques;
  FERRY_RETURN_IF_ERROR(
      sql.Select(fmt::format("SELECT name FROM pragma_index_list({}) WHERE origin = 'u' ORDER "
                             "BY seq DESC",
                             SqlLiteral(table.name)),
                 &uniques));
  for (const auto& unique : uniques) {
    TextRows members;
    FERRY_RETURN_IF_ERROR(
        sql.Select(fmt::format("SELECT name FROM pragma_index_info({}) ORDER BY seqno",
                               SqlLiteral(unique[0].value_or(""))),
                   &members));
    std::vector<std::string> names;
    for (const auto& member : members) names.push_back(member[0].value_or(""));
    parts.push_back(fmt::format("UNIQUE ({})", Names(names)));
    ++*constraints;
  }
  TextRows keys;
  FERRY_RETURN_IF_ERROR(
      sql.Select(fmt::format("SELECT id, \"from\", \"table\", \"to\", on_update, on_delete FROM "
                             "pragma_foreign_key_list({}) ORDER BY id DESC, seq",
                             SqlLiteral(table.name)),
                 &keys));
  for (size_t i = 0; i < keys.size();) {
    size_t end = i;
    std::vector<std::string> from;
    std::vector<std::string> to;
    while (end < keys.size() && keys[end][0] == keys[i][0]) {
      from.push_back(keys[end][1].value_or(""));
      if (keys[end][3]) to.push_back(*keys[end][3]);
      ++end;
    }
    std::string part = fmt::format("FOREIGN KEY ({}) REFERENCES {}", Names(from),
                                   SqlName(keys[i][2].value_or("")));
    if (!to.empty()) part += fmt::format(" ({})", Names(to));
    if (keys[i][4] != "NO ACTION") part += " ON UPDATE " + keys[i][4].value_or("");
    if (keys[i][5] != "NO ACTION") part += " ON DELETE " + keys[i][5].value_or("");
    parts.push_back(part);
    ++*constraints;
    i = end;
  }
  std::string body;
  for (const std::string& part : parts) body += (body.empty() ? "" : ", ") + part;
  *create = fmt::format("CREATE TABLE {} ({})", SqlName(table.name), body);
  *copy = fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", SqlName(table.name),
                      Names(new_names), Names(old_names), SqlName(old_name));
  return Status::OK();
}

// The copy back into the table as it was (`saved` recreates it): each column now under the
// name it had before the switch.
Status OldCopy(RekeySql& sql, const RekeyTable& table, const std::string& old_name,
               std::string* copy) {
  TextRows columns;
  FERRY_RETURN_IF_ERROR(sql.Select(
      fmt::format("SELECT name FROM pragma_table_info({}) ORDER BY cid", SqlLiteral(table.name)),
      &columns));
  std::vector<std::string> now;
  std::vector<std::string> before;
  for (const auto& column : columns) {
    now.push_back(column[0].value_or(""));
    before.push_back(Renamed(table, now.back(), /*back=*/true));
  }
  *copy = fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", SqlName(table.name), Names(before),
                      Names(now), SqlName(old_name));
  return Status::OK();
}

// The foreign-key violations `pragma foreign_key_check` finds in the group's tables.
std::string ViolationCount(const RekeyPlan& group) {
  std::string sum;
  for (const RekeyTable& table : group.tables) {
    sum += fmt::format("{}(SELECT COUNT(*) FROM pragma_foreign_key_check({}))",
                       sum.empty() ? "" : " + ", SqlLiteral(table.name));
  }
  return sum;
}

}  // namespace

Status PlanSqliteSwitch(RekeySql& sql, const RekeyPlan& group, bool back,
                        const std::vector<SchemaObject>& saved, SwitchWork* work) {
  FERRY_RETURN_IF_ERROR(CheckNothingInTheWay(sql, group));
  std::vector<SchemaObject> schema = saved;
  if (!back) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(sql.Select(
        fmt::format("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({}) AND sql IS "
                    "NOT NULL ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 "
                    "END, name",
                    SqliteTableList(group)),
        &rows));
    schema.clear();
    for (const auto& row : rows) {
      schema.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or("")});
    }
    work->before = schema;
  } else if (schema.empty()) {
    return Status::InvalidArgument(
        "the switch recorded no schema of its tables to switch them back with");
  }
  // legacy_alter_table: renaming a table away leaves every REFERENCES to it as it is.
  std::string statements = "PRAGMA legacy_alter_table = ON;\n";
  for (const RekeyTable& table : group.tables) {
    const std::string old_name = "ferry_switch_" + table.name;
    std::string create;
    std::string copy;
    if (!back) {
      FERRY_RETURN_IF_ERROR(NewTable(sql, table, old_name, &create, &copy, &work->constraints));
    } else {
      auto found = std::find_if(schema.begin(), schema.end(), [&](const SchemaObject& object) {
        return object.type == "table" && object.name == table.name;
      });
      if (found == schema.end()) {
        return Status::InvalidArgument(fmt::format(
            "the switch recorded no text of table {} to switch it back with", table.name));
      }
      create = found->sql;
      FERRY_RETURN_IF_ERROR(OldCopy(sql, table, old_name, &copy));
    }
    statements +=
        fmt::format("ALTER TABLE {} RENAME TO {};\n{};\n{};\nDROP TABLE {};\n", SqlName(table.name),
                    SqlName(old_name), create, copy, SqlName(old_name));
  }
  for (const SchemaObject& object : schema) {
    if (object.type == "table") continue;
    statements += object.sql + ";\n";
    if (object.type == "index") ++work->indexes;
  }
  statements += "PRAGMA legacy_alter_table = OFF;\n";
  if (!back) {
    // Checked before the commit: no foreign key the switch made may be broken where the old
    // one was not (an orphan's new reference is NULL, so the count can only fall).
    TextRows before;
    FERRY_RETURN_IF_ERROR(sql.Select("SELECT " + ViolationCount(group), &before));
    statements += fmt::format(
        "CREATE TEMP TABLE ferry_switch_check (foreign_key_violations_the_switch_added INTEGER "
        "CHECK (foreign_key_violations_the_switch_added <= 0));\n"
        "INSERT INTO ferry_switch_check SELECT {} - {};\nDROP TABLE ferry_switch_check;\n",
        ViolationCount(group), before.at(0).at(0).value_or("0"));
  }
  work->statements = statements;
  return Status::OK();
}

}  // namespace ferry
