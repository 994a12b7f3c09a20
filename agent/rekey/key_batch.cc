#include "agent/rekey/key_batch.h"

#include <fmt/format.h>

namespace ferry {

Status NextKeyBatch(RekeySql& sql, const KeyBatchQuery& query,
                    const std::optional<std::string>& after, TextRows* rows) {
  const std::string name = SqlName(query.table->name);
  const std::string key = SqlName(query.table->key);
  std::string conditions = query.where;
  if (after) {
    conditions +=
        (conditions.empty() ? "" : " AND ") + fmt::format("{} > {}", key, SqlLiteral(*after));
  }
  // The ORDER BY is qualified: PostgreSQL would otherwise order by the output column of the
  // same name, the key as text.
  return sql.Select(
      fmt::format("SELECT CAST({key} AS TEXT) AS rekey_key{columns} FROM {name}{where} ORDER BY "
                  "{name}.{key} LIMIT {limit}",
                  fmt::arg("key", key),
                  fmt::arg("columns", query.columns.empty() ? "" : ", " + query.columns),
                  fmt::arg("name", name),
                  fmt::arg("where", conditions.empty() ? "" : " WHERE " + conditions),
                  fmt::arg("limit", query.limit)),
      rows);
}

}  // namespace ferry
