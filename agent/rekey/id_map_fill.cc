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

Status VerifyIdMap(RekeySql& sql, const RekeyPlan& plan, RekeyVerification* out) {
  for (const RekeyTable& table : plan.tables) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(sql.Select(
        fmt::format("SELECT COUNT(*) FROM {name} LEFT JOIN {map} AS id_map ON id_map.entity = "
                    "{entity} AND id_map.user_id = {user} AND id_map.legacy_id = CAST({name}.{key} "
                    "AS TEXT) WHERE id_map.ulid IS NULL OR id_map.ulid <> {name}.{ulid}",
                    fmt::arg("name", SqlName(table.name)), fmt::arg("map", sql.IdMapTable()),
                    fmt::arg("entity", SqlLiteral(table.name)),
                    fmt::arg("user", SqlLiteral(kRekeyIdMapUser)),
                    fmt::arg("key", SqlName(table.key)),
                    fmt::arg("ulid", SqlName(UlidColumnOf(table.key)))),
        &rows));
    std::string wrong = rows.empty() ? "0" : rows[0][0].value_or("0");
    if (wrong != "0") {
      out->problems.push_back(fmt::format(
          "{}: {} rows missing from the id map or mapped to another ULID", table.name, wrong));
    }
  }
  return Status::OK();
}

}  // namespace ferry
