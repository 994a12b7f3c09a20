#include "agent/rekey/id_map_fill.h"

#include <fmt/format.h>

#include "agent/rekey/key_batch.h"
#include "base/fault_point.h"

namespace ferry {

Status FillIdMap(RekeySql& sql, const RekeyTable& table, const std::string& run_id, int batch_size,
                 int64_t* batches) {
  const std::string name = SqlName(table.name);
  const std::string key = SqlName(table.key);
  KeyBatchQuery query{&table, "", "", batch_size};
  std::optional<std::string> last;
  for (;;) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(NextKeyBatch(sql, query, last, &rows));
    if (rows.empty() || !rows.front()[0] || !rows.back()[0]) return Status::OK();
    FERRY_RETURN_IF_ERROR(sql.Execute(fmt::format(
        "{head}{entity}, {user}, CAST({key} AS TEXT), {ulid}, '', {run}, {now} FROM {name} WHERE "
        "{key} >= {first} AND {key} <= {lastkey} AND {ulid} IS NOT NULL ON CONFLICT DO NOTHING",
        fmt::arg("head", sql.IdMapInsertHead()), fmt::arg("entity", SqlLiteral(table.name)),
        fmt::arg("user", SqlLiteral(kRekeyIdMapUser)), fmt::arg("key", key),
        fmt::arg("ulid", SqlName(UlidColumnOf(table.key))), fmt::arg("run", SqlLiteral(run_id)),
        fmt::arg("now", sql.NowExpression()), fmt::arg("name", name),
        fmt::arg("first", SqlLiteral(*rows.front()[0])),
        fmt::arg("lastkey", SqlLiteral(*rows.back()[0])))));
    ++*batches;
    FaultPoint("rekey.batch_committed");
    last = rows.back()[0];
    if (static_cast<int>(rows.size()) < batch_size) return Status::OK();
  }
}

namespace {

constexpr int kIdMapExamples = 5;

// The id map's rows of `table` (alias id_map): the entity named as the table, user (rekey),
// the session's schema.
std::string MapRowsOf(RekeySql& sql, const RekeyTable& table) {
  return fmt::format("id_map.entity = {} AND id_map.user_id = {} AND {}", SqlLiteral(table.name),
                     SqlLiteral(kRekeyIdMapUser), sql.IdMapScope("id_map"));
}

// Counts the rows `from_where` selects, and names the first kIdMapExamples of them: `columns` are
// the row's key, its id-map ULID and its ULID (any may be NULL).
Status Mismatches(RekeySql& sql, const RekeyTable& table, const std::string& columns,
                  const std::string& from_where, const char* what, RekeyVerification* out,
                  int64_t* count) {
  TextRows rows;
  FERRY_RETURN_IF_ERROR(sql.Select("SELECT COUNT(*) " + from_where, &rows));
  *count = rows.empty() || !rows[0][0] ? 0 : std::stoll(*rows[0][0]);
  if (*count == 0) return Status::OK();
  FERRY_RETURN_IF_ERROR(sql.Select(
      fmt::format("SELECT {} {} ORDER BY 1 LIMIT {}", columns, from_where, kIdMapExamples), &rows));
  for (const auto& row : rows) {
    out->findings.push_back({table.name, sql.IdMapTable(), row[0].value_or("NULL"),
                             row[1].value_or("NULL"),
                             fmt::format("{} (the row's {}: {})", what,
                                         UlidColumnIn(table, table.key), row[2].value_or("NULL"))});
  }
  return Status::OK();
}

}  // namespace

Status VerifyIdMap(RekeySql& sql, const RekeyPlan& plan, RekeyVerification* out, bool strays) {
  for (const RekeyTable& table : plan.tables) {
    const std::string name = SqlName(table.name);
    // Read where a later switch moved them (ferry validate of an earlier hybrid run).
    const std::string key = SqlName(OldColumnIn(table, table.key));
    const std::string ulid = SqlName(UlidColumnIn(table, table.key));
    // A row inserted by ULID alone since a switch has no old key to translate.
    const std::string with_old_key =
        table.switched ? fmt::format(" AND {}.{} IS NOT NULL", name, key) : "";
    // Each row: in the map under its old key, with its ULID.
    int64_t wrong = 0;
    FERRY_RETURN_IF_ERROR(Mismatches(
        sql, table,
        fmt::format("CAST({name}.{key} AS TEXT), id_map.ulid, {name}.{ulid}",
                    fmt::arg("name", name), fmt::arg("key", key), fmt::arg("ulid", ulid)),
        fmt::format("FROM {name} LEFT JOIN {map} AS id_map ON {rows} AND id_map.legacy_id = "
                    "CAST({name}.{key} AS TEXT) WHERE (id_map.ulid IS NULL OR id_map.ulid <> "
                    "{name}.{ulid} OR {name}.{ulid} IS NULL){with_old_key}",
                    fmt::arg("name", name), fmt::arg("map", sql.IdMapTable()),
                    fmt::arg("rows", MapRowsOf(sql, table)), fmt::arg("key", key),
                    fmt::arg("ulid", ulid), fmt::arg("with_old_key", with_old_key)),
        "missing from the id map, or mapped to another ULID", out, &wrong));
    if (wrong > 0) {
      out->problems.push_back(fmt::format(
          "{}: {} rows missing from the id map or mapped to another ULID", table.name, wrong));
    }
    if (!strays) continue;
    // Each map row: an old key some row still has (the counts match).
    int64_t extra = 0;
    FERRY_RETURN_IF_ERROR(Mismatches(
        sql, table, "id_map.legacy_id, id_map.ulid, NULL",
        fmt::format("FROM {map} AS id_map WHERE {rows} AND NOT EXISTS (SELECT 1 FROM {name} WHERE "
                    "CAST({name}.{key} AS TEXT) = id_map.legacy_id)",
                    fmt::arg("map", sql.IdMapTable()), fmt::arg("rows", MapRowsOf(sql, table)),
                    fmt::arg("name", name), fmt::arg("key", key)),
        "an id-map row whose old key names no row", out, &extra));
    if (extra > 0) {
      out->problems.push_back(fmt::format(
          "{}: {} id-map rows whose old key names no row of the table", table.name, extra));
    }
  }
  return Status::OK();
}

}  // namespace ferry
