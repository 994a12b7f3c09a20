#include "agent/rekey/key_switch.h"

#include <fmt/format.h>

#include "agent/rekey/key_switch_sqlite.h"
#include "base/fault_point.h"

namespace ferry {

namespace {

constexpr int kExamples = 5;

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

constexpr char kSchemaLine[] = "#schema";

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char next = text[++i];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
  }
  return out;
}

// Whether any of `columns` (tab-separated) of `table` is one a switch of `group` renames.
bool Involves(const RekeyPlan& group, const std::string& table, const std::string& columns) {
  const RekeyTable* found = group.Find(table);
  if (found == nullptr) return false;
  std::vector<std::string> renamed = SwitchedColumns(*found);
  for (const std::string& column : Split(columns, '\t')) {
    for (const std::string& name : renamed) {
      if (column == name) return true;
    }
  }
  return false;
}

std::string TableList(const RekeyPlan& group) {
  std::string list;
  for (const RekeyTable& table : group.tables) {
    list += (list.empty() ? "" : ", ") + SqlLiteral(table.name);
  }
  return list;
}

constexpr char kSchema[] = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())";

std::string Renames(const RekeyPlan& group, bool back) {
  std::string statements;
  for (const RekeyTable& table : group.tables) {
    for (const std::string& column : SwitchedColumns(table)) {
      std::string old_name = SqlName(column);
      std::string legacy = SqlName(LegacyColumnOf(column));
      std::string ulid = SqlName(UlidColumnOf(column));
      std::string name = SqlName(table.name);
      if (!back) {
        statements +=
            fmt::format("ALTER TABLE {0} RENAME COLUMN {1} TO {2};\n", name, old_name, legacy);
        statements +=
            fmt::format("ALTER TABLE {0} RENAME COLUMN {1} TO {2};\n", name, ulid, old_name);
      } else {
        statements +=
            fmt::format("ALTER TABLE {0} RENAME COLUMN {1} TO {2};\n", name, old_name, ulid);
        statements +=
            fmt::format("ALTER TABLE {0} RENAME COLUMN {1} TO {2};\n", name, legacy, old_name);
      }
    }
  }
  return statements;
}

// The key's NOT NULL came with its primary key: the legacy column gives it up (the
// application stops writing old keys), the ULID column switched back likewise. Adding the
// primary key back gives the old column its NOT NULL again, as before the switch.
std::string Nullability(const RekeyPlan& group, bool back) {
  std::string statements;
  for (const RekeyTable& table : group.tables) {
    statements +=
        fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL;\n", SqlName(table.name),
                    SqlName(back ? UlidColumnOf(table.key) : LegacyColumnOf(table.key)));
  }
  return statements;
}

}  // namespace

std::vector<std::string> SwitchedColumns(const RekeyTable& table) {
  std::vector<std::string> columns = {table.key};
  for (const RekeyForeignKey& key : table.foreign_keys) columns.push_back(key.column);
  return columns;
}

Status SwitchStateOf(RekeySql& sql, const RekeyPlan& group, bool* switched) {
  int done = 0;
  int columns = 0;
  for (const RekeyTable& table : group.tables) {
    for (const std::string& column : SwitchedColumns(table)) {
      bool exists = false;
      bool has_ulid = false;
      bool has_legacy = false;
      FERRY_RETURN_IF_ERROR(sql.HasColumn(table.name, UlidColumnOf(column), &exists, &has_ulid));
      FERRY_RETURN_IF_ERROR(
          sql.HasColumn(table.name, LegacyColumnOf(column), &exists, &has_legacy));
      ++columns;
      if (has_legacy && !has_ulid) {
        ++done;
      } else if (has_legacy) {
        return Status::InvalidArgument(fmt::format(
            "{}.{} is there already: switching {}.{} needs that name for the old values; "
            "rename it first",
            table.name, LegacyColumnOf(column), table.name, column));
      }
    }
  }
  if (done > 0 && done < columns) {
    return Status::InvalidArgument(
        fmt::format("the tables of {} are partly switched (some have legacy_ columns and no "
                    "_ulid ones, others not): the database was changed by hand since",
                    FormatSwitchedGroup(group)));
  }
  *switched = done > 0;
  return Status::OK();
}

Status PlanSwitch(RekeySql& sql, const RekeyPlan& group, bool back, SwitchWork* work,
                  const std::vector<SchemaObject>& saved) {
  *work = SwitchWork{};
  if (std::string(sql.name()) == "SQLite") return PlanSqliteSwitch(sql, group, back, saved, work);
  const std::string tables = TableList(group);
  TextRows views;
  FERRY_RETURN_IF_ERROR(sql.Select(
      fmt::format("SELECT DISTINCT v.relname, t.relname FROM pg_depend d JOIN pg_rewrite r ON "
                  "r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class JOIN pg_class t ON "
                  "t.oid = d.refobjid WHERE d.classid = 'pg_rewrite'::regclass AND "
                  "t.relnamespace = {} AND t.relname IN ({}) AND v.oid <> t.oid ORDER BY 1",
                  kSchema, tables),
      &views));
  if (!views.empty()) {
    return Status::InvalidArgument(fmt::format(
        "view {} reads table {}: a switch renames that table's key columns, which would "
        "change what the view shows; drop the view, switch, and create it again",
        views[0][0].value_or(""), views[0][1].value_or("")));
  }
  // Each constraint on the group's tables, and each foreign key into them: name, table,
  // whether the table is one of the group's, type, definition, columns, parent, its columns.
  TextRows constraints;
  FERRY_RETURN_IF_ERROR(sql.Select(
      fmt::format(
          "SELECT c.conname, child.relname, (child.relnamespace = {0} AND child.relname IN "
          "({1}))::text, c.contype::text, pg_get_constraintdef(c.oid), "
          "array_to_string(ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = "
          "c.conrelid AND a.attnum = ANY(c.conkey)), E'\\t'), COALESCE(parent.relname, ''), "
          "array_to_string(ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = "
          "c.confrelid AND a.attnum = ANY(c.confkey)), E'\\t') FROM pg_constraint c JOIN "
          "pg_class child ON child.oid = c.conrelid LEFT JOIN pg_class parent ON parent.oid = "
          "c.confrelid WHERE (child.relnamespace = {0} AND child.relname IN ({1})) OR "
          "(c.contype = 'f' AND parent.relnamespace = {0} AND parent.relname IN ({1})) ORDER "
          "BY c.conname, child.relname",
          kSchema, tables),
      &constraints));
  std::string drop_keys;
  std::string drop_others;
  std::string add_others;
  std::string add_keys;
  for (const auto& row : constraints) {
    const std::string name = row[0].value_or("");
    const std::string table = row[1].value_or("");
    const bool in_group = row[2] == "true";
    const bool foreign = row[3] == "f";
    const std::string definition = row[4].value_or("");
    bool involved = (in_group && Involves(group, table, row[5].value_or(""))) ||
                    (foreign && Involves(group, row[6].value_or(""), row[7].value_or("")));
    if (!involved) continue;
    if (!in_group) {
      return Status::InvalidArgument(fmt::format(
          "foreign key {} of table {} references {}, whose key a switch moves, and {} is not "
          "in the plan: add it to the plan (or drop the key) before switching",
          name, table, row[6].value_or(""), table));
    }
    std::string drop =
        fmt::format("ALTER TABLE {} DROP CONSTRAINT {};\n", SqlName(table), SqlName(name));
    std::string add = fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {};\n", SqlName(table),
                                  SqlName(name), definition);
    (foreign ? drop_keys : drop_others) += drop;
    (foreign ? add_keys : add_others) += add;
    ++work->constraints;
  }
  // Indexes of their own (not a constraint's) on a renamed column, or on an expression or
  // with a predicate, which may name one.
  TextRows indexes;
  FERRY_RETURN_IF_ERROR(sql.Select(
      fmt::format(
          "SELECT i.relname, t.relname, pg_get_indexdef(x.indexrelid), "
          "array_to_string(ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = "
          "x.indrelid AND a.attnum = ANY(x.indkey::int2[])), E'\\t'), (x.indexprs IS NOT NULL "
          "OR x.indpred IS NOT NULL)::text FROM pg_index x JOIN pg_class i ON i.oid = "
          "x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE t.relnamespace = {0} AND "
          "t.relname IN ({1}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid "
          "= x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')) ORDER "
          "BY i.relname",
          kSchema, tables),
      &indexes));
  std::string drop_indexes;
  std::string add_indexes;
  for (const auto& row : indexes) {
    if (row[4] != "true" && !Involves(group, row[1].value_or(""), row[3].value_or(""))) continue;
    drop_indexes += fmt::format("DROP INDEX {};\n", SqlName(row[0].value_or("")));
    add_indexes += row[2].value_or("") + ";\n";
    ++work->indexes;
  }
  work->statements = drop_keys + drop_others + drop_indexes + Renames(group, back) +
                     Nullability(group, back) + add_others + add_keys + add_indexes;
  return Status::OK();
}

Status SwitchGroup(RekeySql& sql, const RekeyPlan& group, const std::string& run_id,
                   SwitchWork* work) {
  FERRY_RETURN_IF_ERROR(PlanSwitch(sql, group, /*back=*/false, work));
  return sql.Execute(work->statements + sql.AuditInsert(run_id, kRekeySwitchAction,
                                                        FormatSwitchedGroup(group, work->before)),
                     "rekey.switch_before_commit");
}

std::string FormatSwitchedGroup(const RekeyPlan& group, const std::vector<SchemaObject>& schema) {
  std::string text;
  for (const RekeyTable& table : group.tables) {
    if (!text.empty()) text += "\n";
    text += table.name + "\t" + table.key;
    for (const RekeyForeignKey& key : table.foreign_keys) text += "\t" + key.column;
  }
  for (const SchemaObject& object : schema) {
    text += fmt::format("\n{}\t{}\t{}\t{}", kSchemaLine, object.type, Escape(object.name),
                        Escape(object.sql));
  }
  return text;
}

RekeyPlan ParseSwitchedGroup(const std::string& detail, std::vector<SchemaObject>* schema) {
  RekeyPlan group;
  if (schema != nullptr) schema->clear();
  for (const std::string& line : Split(detail, '\n')) {
    std::vector<std::string> fields = Split(line, '\t');
    if (!fields.empty() && fields[0] == kSchemaLine) {
      if (fields.size() == 4 && schema != nullptr) {
        schema->push_back({fields[1], Unescape(fields[2]), Unescape(fields[3])});
      }
      continue;
    }
    if (fields.size() < 2) continue;
    RekeyTable& table = group.tables.emplace_back();
    table.name = fields[0];
    table.key = fields[1];
    for (size_t i = 2; i < fields.size(); ++i) table.foreign_keys.push_back({fields[i], ""});
  }
  return group;
}

Status VerifySwitched(RekeySql& sql, const RekeyPlan& group, RekeyVerification* out) {
  for (const RekeyTable& table : group.tables) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(
        sql.Select(fmt::format("SELECT COUNT(*) FROM {}", SqlName(table.name)), &rows));
    out->rows += std::stoll(rows.at(0).at(0).value_or("0"));
    for (const RekeyForeignKey& key : table.foreign_keys) {
      std::string orphaned =
          fmt::format("FROM {} WHERE {} IS NOT NULL AND {} IS NULL", SqlName(table.name),
                      SqlName(LegacyColumnOf(key.column)), SqlName(key.column));
      FERRY_RETURN_IF_ERROR(sql.Select("SELECT COUNT(*) " + orphaned, &rows));
      int64_t orphans = std::stoll(rows.at(0).at(0).value_or("0"));
      out->orphans += orphans;
      if (orphans == 0) continue;
      FERRY_RETURN_IF_ERROR(sql.Select(
          fmt::format("SELECT CAST({0} AS TEXT), CAST({1} AS TEXT) {2} ORDER BY {0} LIMIT {3}",
                      SqlName(LegacyColumnOf(table.key)), SqlName(LegacyColumnOf(key.column)),
                      orphaned, kExamples),
          &rows));
      for (const auto& row : rows) {
        out->examples.push_back({table.name, LegacyColumnOf(key.column), row[0].value_or("NULL"),
                                 row[1].value_or("NULL")});
      }
    }
  }
  return Status::OK();
}

}  // namespace ferry
