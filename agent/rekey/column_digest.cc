#include "agent/rekey/column_digest.h"

#include <charconv>

#include "agent/rekey/key_batch.h"
#include "base/fnv1a.h"

namespace ferry {

namespace {

constexpr int kDigestBatch = 5000;

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

Status DigestColumn(RekeySql& sql, const RekeyTable& table, const std::string& column,
                    ColumnDigest* out) {
  *out = ColumnDigest{table.name, table.key, column, 0, ""};
  const std::string value = SqlName(column);
  KeyBatchQuery query{&table, value, value + " IS NOT NULL", kDigestBatch};
  Fnv1a64 hash;
  std::optional<std::string> last;
  for (;;) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(NextKeyBatch(sql, query, last, &rows));
    for (const auto& row : rows) {
      hash.Add(row[0].value_or(""));
      hash.Add("\t");
      hash.Add(row[1].value_or(""));
      hash.Add("\n");
      ++out->values;
    }
    if (static_cast<int>(rows.size()) < kDigestBatch || !rows.back()[0]) break;
    last = rows.back()[0];
  }
  out->hash = hash.Hex();
  return Status::OK();
}

Status RecordDigests(RekeySql& sql, const RekeyPlan& plan, const std::string& run_id) {
  std::vector<ColumnDigest> digests;
  for (const RekeyTable& table : plan.tables) {
    std::vector<std::string> columns = {UlidColumnOf(table.key)};
    for (const RekeyForeignKey& key : table.foreign_keys) {
      columns.push_back(UlidColumnOf(key.column));
    }
    for (const std::string& column : columns) {
      FERRY_RETURN_IF_ERROR(DigestColumn(sql, table, column, &digests.emplace_back()));
    }
  }
  return sql.Execute(sql.AuditInsert(run_id, kRekeyDigestAction, FormatDigests(digests)));
}

std::string FormatDigests(const std::vector<ColumnDigest>& digests) {
  std::string text;
  for (const ColumnDigest& digest : digests) {
    text += (text.empty() ? "" : "\n") + digest.table + "\t" + digest.key + "\t" + digest.column +
            "\t" + std::to_string(digest.values) + "\t" + digest.hash;
  }
  return text;
}

std::vector<ColumnDigest> ParseDigests(const std::string& detail) {
  std::vector<ColumnDigest> digests;
  size_t start = 0;
  while (start < detail.size()) {
    size_t end = detail.find('\n', start);
    if (end == std::string::npos) end = detail.size();
    std::vector<std::string> fields = Fields(detail.substr(start, end - start));
    start = end + 1;
    if (fields.size() != 5) continue;
    ColumnDigest digest{fields[0], fields[1], fields[2], 0, fields[4]};
    const std::string& values = fields[3];
    auto [at, error] = std::from_chars(values.data(), values.data() + values.size(), digest.values);
    if (error != std::errc() || at != values.data() + values.size()) continue;
    digests.push_back(std::move(digest));
  }
  return digests;
}

}  // namespace ferry
