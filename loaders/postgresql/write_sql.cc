#include "loaders/postgresql/write_sql.h"

#include <algorithm>

#include "loaders/postgresql/schema_ddl.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

namespace {

std::string StageColumn(size_t index) { return "c" + std::to_string(index); }

// "s.c0, s.c2": the staging columns of the key, with `prefix`.
std::string KeyStageColumns(const TableDef& table, std::string_view prefix) {
  std::string list;
  for (const std::string& key : table.primary_key) {
    list += list.empty() ? "" : ", ";
    list += std::string(prefix) + StageColumn(static_cast<size_t>(table.ColumnIndex(key)));
  }
  return list;
}

std::string TargetColumns(const TableDef& table) {
  std::string list;
  for (const ColumnDef& column : table.columns) {
    list += list.empty() ? "" : ", ";
    list += QuoteIdentifier(column.name);
  }
  return list;
}

std::string StageValues(const TableDef& table) {
  std::string list;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    list += (i == 0 ? "" : ", ") + StageColumn(i);
  }
  return list;
}

bool IsKeyColumn(const TableDef& table, const std::string& column) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), column) !=
         table.primary_key.end();
}

// The id map's rows known for the batch's user, schema and entity.
std::string Known(std::string_view schema) {
  return "SELECT 1 FROM ferry.id_map m WHERE m.user_id = $1 AND m.target_schema = " +
         QuoteLiteral(schema) + " AND m.entity = $2 AND m.legacy_id = s.f_legacy_id";
}

// The process token of the session (user_lock.h, TagSession): with the checkpoint, it tells
// this process's commit from another's of the same run and position. Unset, the statement
// fails: a batch is never written without it.
constexpr const char* kSessionToken = "current_setting('ferry.process_token')";

std::string CheckpointCte(std::string_view schema) {
  return "checkpoint AS (\n"
         "  INSERT INTO ferry.checkpoints (user_id, target_schema, entity, unit, position, run_id, "
         "token, updated_at)\n"
         "  VALUES ($1, " +
         QuoteLiteral(schema) + ", $5, $4, $6::bigint, $3, " + kSessionToken +
         ", now())\n"
         "  ON CONFLICT (user_id, target_schema, entity, unit) DO UPDATE SET position = "
         "EXCLUDED.position,\n"
         "    run_id = EXCLUDED.run_id, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at\n"
         ")\n";
}

// The id-map insert's head: its columns, and the schema's literal to select first.
std::string IdMapInsert(std::string_view schema) {
  return "  INSERT INTO ferry.id_map (user_id, target_schema, entity, legacy_id, ulid, "
         "content_hash, run_id, updated_at)\n  SELECT $1, " +
         QuoteLiteral(schema) + ", ";
}

}  // namespace

std::vector<std::string> StagingColumns(const TableDef& table) {
  std::vector<std::string> columns;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    columns.push_back(StageColumn(i));
  }
  for (const char* extra : {"f_ord", "f_legacy_id", "f_ulid", "f_hash"}) {
    columns.emplace_back(extra);
  }
  return columns;
}

std::string CreateStagingSql(const TableDef& table, std::string_view staging) {
  std::string sql = "CREATE TEMP TABLE " + QuoteIdentifier(staging) + " (";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    sql += StageColumn(i) + " " + PgTypeOf(table.columns[i].type) + ", ";
  }
  sql +=
      "f_ord integer NOT NULL, f_legacy_id text NOT NULL, f_ulid text NOT NULL, "
      "f_hash text NOT NULL) ON COMMIT DELETE ROWS";
  return sql;
}

std::string SkipSql(const TableDef& table, std::string_view schema, std::string_view staging) {
  std::string target = QualifiedName(schema, table.name);
  std::string join;
  for (const std::string& key : table.primary_key) {
    join += join.empty() ? "" : " AND ";
    join += "c." + StageColumn(static_cast<size_t>(table.ColumnIndex(key))) + " = i." +
            QuoteIdentifier(key);
  }
  std::string returning;
  for (const std::string& key : table.primary_key) {
    returning += (returning.empty() ? "" : ", ") + QuoteIdentifier(key);
  }
  // The first row of each key wins, as with row-by-row inserts. No conflict target: a row
  // taking any unique key of the table (its key, or user_id + legacy_id) is kept as it is.
  return "WITH candidates AS (\n"
         "  SELECT DISTINCT ON (" +
         KeyStageColumns(table, "s.") + ") s.*\n  FROM " + QuoteIdentifier(staging) +
         " s\n  WHERE NOT EXISTS (" + Known(schema) + ")\n  ORDER BY " +
         KeyStageColumns(table, "s.") +
         ", s.f_ord\n),\n"
         "inserted AS (\n  INSERT INTO " +
         target + " (" + TargetColumns(table) + ")\n  SELECT " + StageValues(table) +
         " FROM candidates ORDER BY f_ord\n  ON CONFLICT DO NOTHING\n  RETURNING " + returning +
         "\n),\n"
         "identities AS (\n" +
         IdMapInsert(schema) +
         "$2, c.f_legacy_id, c.f_ulid, c.f_hash, $3, now()\n"
         "  FROM candidates c JOIN inserted i ON " +
         join + "\n  ON CONFLICT (user_id, target_schema, entity, legacy_id) DO NOTHING\n),\n" +
         CheckpointCte(schema) +
         "SELECT (SELECT count(*) FROM inserted) AS inserted, 0::bigint AS updated";
}

std::string OverwriteSql(const TableDef& table, std::string_view schema, std::string_view staging,
                         IdMapCheck check) {
  std::string target = QualifiedName(schema, table.name);
  std::string set;
  for (const ColumnDef& column : table.columns) {
    if (!IsKeyColumn(table, column.name)) {
      std::string name = QuoteIdentifier(column.name);
      set += (set.empty() ? "" : ", ") + name + " = EXCLUDED." + name;
    }
  }
  std::string key_list;
  for (const std::string& key : table.primary_key) {
    key_list += (key_list.empty() ? "" : ", ") + QuoteIdentifier(key);
  }
  std::string action = set.empty() ? "DO NOTHING" : "DO UPDATE SET " + set;
  std::string changed = "  SELECT s.* FROM " + QuoteIdentifier(staging) + " s";
  if (check == IdMapCheck::kRecheck) {
    changed += "\n  WHERE NOT EXISTS (" + Known(schema) +
               " AND m.content_hash = s.f_hash AND s.f_hash <> '')";
  }
  // The last row of each key wins, as with row-by-row upserts.
  return "WITH changed AS (\n" + changed +
         "\n),\n"
         "written AS (\n  INSERT INTO " +
         target + " AS t (" + TargetColumns(table) + ")\n  SELECT DISTINCT ON (" +
         KeyStageColumns(table, "") + ") " + StageValues(table) + " FROM changed\n  ORDER BY " +
         KeyStageColumns(table, "") + ", f_ord DESC\n  ON CONFLICT (" + key_list + ") " + action +
         "\n  RETURNING (t.xmax = 0) AS inserted\n),\n"
         "identities AS (\n"
         "  INSERT INTO ferry.id_map (user_id, target_schema, entity, legacy_id, ulid, "
         "content_hash, run_id, updated_at)\n"
         "  SELECT DISTINCT ON (f_legacy_id) $1, " +
         QuoteLiteral(schema) +
         ", $2, f_legacy_id, f_ulid, f_hash, $3, now()\n"
         "  FROM changed ORDER BY f_legacy_id, f_ord DESC\n"
         "  ON CONFLICT (user_id, target_schema, entity, legacy_id) DO UPDATE SET ulid = "
         "EXCLUDED.ulid,\n"
         "    content_hash = EXCLUDED.content_hash, run_id = EXCLUDED.run_id,\n"
         "    updated_at = EXCLUDED.updated_at\n),\n" +
         CheckpointCte(schema) +
         "SELECT count(*) FILTER (WHERE inserted) AS inserted,\n"
         "  count(*) FILTER (WHERE NOT inserted) AS updated FROM written";
}

std::vector<std::string> IdMapCopyColumns() {
  return {"user_id",      "entity", "legacy_id",  "ulid",
          "content_hash", "run_id", "updated_at", "target_schema"};
}

std::string CheckpointSql(std::string_view schema) {
  return "INSERT INTO ferry.checkpoints (user_id, target_schema, entity, unit, position, run_id, "
         "token, updated_at)\n"
         "VALUES ($1, " +
         QuoteLiteral(schema) + ", $2, $3, $4::bigint, $5, " + kSessionToken +
         ", now())\n"
         "ON CONFLICT (user_id, target_schema, entity, unit) DO UPDATE SET position = "
         "EXCLUDED.position,\n"
         "  run_id = EXCLUDED.run_id, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at";
}

}  // namespace ferry::postgres
