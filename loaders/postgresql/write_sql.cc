#include "loaders/postgresql/write_sql.h"

#include <algorithm>

#include "loaders/key_column.h"
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

}  // namespace

std::vector<std::string> StagingColumns(const TableDef& table) {
  std::vector<std::string> columns;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    columns.push_back(StageColumn(i));
  }
  for (const char* extra : {"f_ord", "f_legacy_id", "f_ulid", "f_hash", "f_keep"}) {
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
      "f_hash text NOT NULL, f_keep boolean NOT NULL) ON COMMIT DELETE ROWS";
  return sql;
}

std::string UpsertSql(const TableDef& table, std::string_view schema, std::string_view staging,
                      bool update) {
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
  std::string action = !update || set.empty() ? "DO NOTHING" : "DO UPDATE SET " + set;
  // The last row of each key wins, as with row-by-row upserts.
  return "WITH written AS (\n  INSERT INTO " + target + " AS t (" + TargetColumns(table) +
         ")\n  SELECT DISTINCT ON (" + KeyStageColumns(table, "") + ") " + StageValues(table) +
         " FROM " + QuoteIdentifier(staging) + " WHERE NOT f_keep\n  ORDER BY " +
         KeyStageColumns(table, "") + ", f_ord DESC\n  ON CONFLICT (" + key_list + ") " + action +
         "\n  RETURNING (t.xmax = 0) AS inserted\n),\n"
         "identities AS (\n"
         "  INSERT INTO ferry.id_map (user_id, target_schema, entity, legacy_id, ulid, "
         "content_hash, run_id, updated_at)\n"
         "  SELECT DISTINCT ON (f_legacy_id) $1, " +
         QuoteLiteral(schema) +
         ", $2, f_legacy_id, f_ulid, f_hash, $3, now()\n"
         "  FROM " +
         QuoteIdentifier(staging) +
         " ORDER BY f_legacy_id, f_ord DESC\n"
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
