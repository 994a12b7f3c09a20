#include "agent/rekey/ulid_fill.h"

#include <fmt/format.h>

#include <charconv>

#include "agent/rekey/key_batch.h"
#include "base/fault_point.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry {

namespace {

constexpr int kUlidExamples = 5;
constexpr int kVerifyBatch = 5000;

int64_t CountOf(const TextRows& rows) {
  if (rows.empty() || !rows[0][0]) return 0;
  return std::stoll(*rows[0][0]);
}

Status Count(RekeySql& sql, const std::string& query, int64_t* count) {
  TextRows rows;
  FERRY_RETURN_IF_ERROR(sql.Select(query, &rows));
  *count = CountOf(rows);
  return Status::OK();
}

std::string CreationExpression(const RekeyTable& table) {
  return table.creation_column.empty()
             ? std::string("NULL")
             : fmt::format("CAST({} AS TEXT)", SqlName(table.creation_column));
}

}  // namespace

std::optional<int64_t> CreationMillis(const std::string& text, const std::string& format) {
  if (format == "epoch_ms") {
    int64_t ms = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return ms;
  }
  std::string normal = text;
  if (normal.size() > 10 && normal[10] == ' ') normal[10] = 'T';
  // PostgreSQL writes a whole-hour offset as "+00": RFC 3339 wants "+00:00".
  size_t sign = normal.find_last_of("+-");
  if (sign != std::string::npos && sign > 18 && normal.size() - sign == 3) normal += ":00";
  return ParseRfc3339Millis(normal);
}

Status AddUlidColumns(RekeySql& sql, const RekeyPlan& plan, const std::string& run_id,
                      std::vector<std::string>* added) {
  // One transaction for every column and the one audit row naming them: SQLite's audit log is
  // keyed by (time, run, action), and a rollback must never meet a column it has no record of.
  std::string statements;
  std::string detail;
  auto add = [&](const std::string& table, const std::string& column) -> Status {
    bool exists = false;
    bool has = false;
    FERRY_RETURN_IF_ERROR(sql.HasColumn(table, column, &exists, &has));
    if (!exists) return Status::InvalidArgument(fmt::format("rekey: no table {}", table));
    if (has) return Status::OK();
    statements +=
        fmt::format("ALTER TABLE {} ADD COLUMN {} text;\n", SqlName(table), SqlName(column));
    detail += (detail.empty() ? "" : "\n") + table + "\t" + column;
    added->push_back(table + "." + column);
    return Status::OK();
  };
  for (const RekeyTable& table : plan.tables) {
    FERRY_RETURN_IF_ERROR(add(table.name, UlidColumnOf(table.key)));
    for (const RekeyForeignKey& key : table.foreign_keys) {
      FERRY_RETURN_IF_ERROR(add(table.name, UlidColumnOf(key.column)));
    }
  }
  if (statements.empty()) return Status::OK();
  return sql.Execute(statements + sql.AuditInsert(run_id, kRekeyColumnAction, detail));
}

Status FillKeyUlids(RekeySql& sql, const RekeyTable& table, int batch_size, KeyFill* fill) {
  const std::string ulid = SqlName(UlidColumnOf(table.key));
  UlidGenerator generator;
  KeyBatchQuery query{&table, CreationExpression(table), ulid + " IS NULL", batch_size};
  std::optional<std::string> last;
  for (;;) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(NextKeyBatch(sql, query, last, &rows));
    if (rows.empty()) return Status::OK();
    std::vector<std::pair<std::string, std::string>> ulids;
    for (const auto& row : rows) {
      if (!row[0]) continue;  // a NULL key names no row
      std::optional<int64_t> ms;
      if (row[1]) ms = CreationMillis(*row[1], table.time_format);
      if (!ms || *ms < 0 || static_cast<uint64_t>(*ms) > kUlidMaxTime) {
        ms = static_cast<int64_t>(UlidGenerator::NowMillis());
        ++fill->timed_now;
      }
      FERRY_ASSIGN_OR_RETURN(Ulid value, generator.Generate(static_cast<uint64_t>(*ms)));
      ulids.emplace_back(*row[0], EncodeUlid(value));
    }
    FERRY_RETURN_IF_ERROR(sql.SetByKey(table.name, table.key, UlidColumnOf(table.key), ulids));
    fill->filled += static_cast<int64_t>(rows.size());
    ++fill->batches;
    FaultPoint("rekey.batch_committed");
    last = rows.back()[0];
    if (static_cast<int>(rows.size()) < batch_size) return Status::OK();
  }
}

Status FillForeignKeyUlids(RekeySql& sql, const RekeyPlan& plan, const RekeyTable& table,
                           const RekeyForeignKey& key, int batch_size, int64_t* batches) {
  const RekeyTable* parent = plan.Find(key.parent);
  if (parent == nullptr) {
    return Status::InvalidArgument(
        fmt::format("rekey: {}.{} references {}, which the plan does not hold", table.name,
                    key.column, key.parent));
  }
  const std::string name = SqlName(table.name);
  const std::string own_key = SqlName(table.key);
  const std::string column = SqlName(key.column);
  const std::string column_ulid = SqlName(UlidColumnOf(key.column));
  KeyBatchQuery query{&table, "", "", batch_size};
  std::optional<std::string> last;
  for (;;) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(NextKeyBatch(sql, query, last, &rows));
    if (rows.empty() || !rows.front()[0] || !rows.back()[0]) return Status::OK();
    FERRY_RETURN_IF_ERROR(sql.Execute(fmt::format(
        "UPDATE {name} SET {fk_ulid} = (SELECT parent_row.{parent_ulid} FROM {parent} AS "
        "parent_row WHERE parent_row.{parent_key} = {name}.{fk}) WHERE {key} >= {first} AND "
        "{key} <= {lastkey} AND {fk_ulid} IS NULL AND {fk} IS NOT NULL",
        fmt::arg("name", name), fmt::arg("fk_ulid", column_ulid),
        fmt::arg("parent_ulid", SqlName(UlidColumnOf(parent->key))),
        fmt::arg("parent", SqlName(parent->name)), fmt::arg("parent_key", SqlName(parent->key)),
        fmt::arg("fk", column), fmt::arg("key", own_key),
        fmt::arg("first", SqlLiteral(*rows.front()[0])),
        fmt::arg("lastkey", SqlLiteral(*rows.back()[0])))));
    ++*batches;
    FaultPoint("rekey.batch_committed");
    last = rows.back()[0];
    if (static_cast<int>(rows.size()) < batch_size) return Status::OK();
  }
}

namespace {

// Reads every row's key, creation time and ULID in key order and checks each ULID.
// Once switched, the key is the ULID itself: the rows are paged and named by it.
Status VerifyKeys(RekeySql& sql, const RekeyTable& table, RekeyVerification* out) {
  const std::string ulid_column = UlidColumnIn(table, table.key);
  const std::string ulid = SqlName(ulid_column);
  int64_t missing = 0;
  int64_t malformed = 0;
  int64_t mistimed = 0;
  KeyBatchQuery query{&table, CreationExpression(table) + ", " + ulid, "", kVerifyBatch};
  std::optional<std::string> last;
  // The first few rows of each kind, named (table, column, key, value).
  auto name = [&](int64_t count, const auto& row, std::string what) {
    if (count > kUlidExamples) return;
    out->findings.push_back({table.name, ulid_column, row[0].value_or("NULL"),
                             row[2].value_or("NULL"), std::move(what)});
  };
  for (;;) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(NextKeyBatch(sql, query, last, &rows));
    for (const auto& row : rows) {
      ++out->rows;
      if (!row[2]) {
        name(++missing, row, "no ULID");
        continue;
      }
      Result<Ulid> value = DecodeUlid(*row[2]);
      if (!value.ok() || row[2]->size() != 26 || EncodeUlid(*value) != *row[2]) {
        name(++malformed, row, "not a well-formed ULID");
        continue;
      }
      std::optional<int64_t> ms;
      if (row[1]) ms = CreationMillis(*row[1], table.time_format);
      if (ms && *ms >= 0 && static_cast<uint64_t>(*ms) != value->time_ms()) {
        name(++mistimed, row,
             fmt::format("its time {} is not the row's creation time {} ({})",
                         FormatTimestampMillis(static_cast<int64_t>(value->time_ms())),
                         FormatTimestampMillis(*ms), table.creation_column));
      }
    }
    if (static_cast<int>(rows.size()) < kVerifyBatch || !rows.back()[0]) break;
    last = rows.back()[0];
  }
  int64_t duplicates = 0;
  FERRY_RETURN_IF_ERROR(Count(
      sql,
      fmt::format("SELECT COUNT({0}) - COUNT(DISTINCT {0}) FROM {1}", ulid, SqlName(table.name)),
      &duplicates));
  if (duplicates > 0) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(sql.Select(
        fmt::format("SELECT CAST({key} AS TEXT), {ulid} FROM {name} WHERE {ulid} IN (SELECT {ulid} "
                    "FROM {name} GROUP BY {ulid} HAVING COUNT(*) > 1) ORDER BY {ulid}, {key} "
                    "LIMIT {limit}",
                    fmt::arg("key", SqlName(table.key)), fmt::arg("ulid", ulid),
                    fmt::arg("name", SqlName(table.name)), fmt::arg("limit", 2 * kUlidExamples)),
        &rows));
    for (const auto& row : rows) {
      out->findings.push_back({table.name, ulid_column, row[0].value_or("NULL"),
                               row[1].value_or("NULL"), "shared with another row"});
    }
  }
  auto problem = [&](int64_t count, const char* what) {
    if (count > 0) {
      out->problems.push_back(fmt::format("{}: {} rows {}", table.name, count, what));
    }
  };
  problem(missing, fmt::format("without {}", ulid_column).c_str());
  problem(malformed, "with a malformed ULID");
  problem(mistimed, "whose ULID time is not their creation time");
  problem(duplicates, "sharing a ULID with another row");
  return Status::OK();
}

// The join on the old keys (child's old reference to the parent's old key) must equal the
// join on the ULIDs. Once switched, a row the application inserted by ULID alone has no old
// reference: its ULID reference must name a parent row by its ULID instead.
Status VerifyForeignKey(RekeySql& sql, const RekeyPlan& plan, const RekeyTable& table,
                        const RekeyForeignKey& key, RekeyVerification* out) {
  const RekeyTable* parent = plan.Find(key.parent);
  if (parent == nullptr) return Status::OK();  // FillForeignKeyUlids refused it
  const std::string old_column = OldColumnIn(table, key.column);
  const std::string ulid_column = UlidColumnIn(table, key.column);
  const std::string name = SqlName(table.name);
  const std::string column = SqlName(old_column);
  const std::string column_ulid = SqlName(ulid_column);
  const std::string parent_key = SqlName(OldColumnIn(*parent, parent->key));
  const std::string parent_ulid = SqlName(UlidColumnIn(*parent, parent->key));
  std::string orphaned = fmt::format(
      "FROM {name} WHERE {fk} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} AS parent_row "
      "WHERE parent_row.{parent_key} = {name}.{fk})",
      fmt::arg("name", name), fmt::arg("fk", column), fmt::arg("parent", SqlName(parent->name)),
      fmt::arg("parent_key", parent_key));
  int64_t orphans = 0;
  FERRY_RETURN_IF_ERROR(Count(sql, "SELECT COUNT(*) " + orphaned, &orphans));
  out->orphans += orphans;
  if (orphans > 0) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(sql.Select(
        fmt::format(
            "SELECT CAST({0} AS TEXT) AS rekey_key, CAST({1} AS TEXT) AS rekey_value {2} ORDER BY "
            "{4}.{0} LIMIT {3}",
            SqlName(table.key), column, orphaned, kUlidExamples, name),
        &rows));
    for (const auto& row : rows) {
      out->examples.push_back(
          {table.name, old_column, row[0].value_or("NULL"), row[1].value_or("NULL")});
    }
  }
  // A reference whose ULID is not its parent's, or a ULID where the reference is NULL or an
  // orphan: either breaks "the join on new keys equals the join on old ones".
  std::string no_old_parent =
      fmt::format("parent_row.{} IS NULL AND {}.{} IS NOT NULL", parent_key, name, column_ulid);
  if (table.switched) {
    no_old_parent += fmt::format(
        " AND ({name}.{fk} IS NOT NULL OR NOT EXISTS (SELECT 1 FROM {parent} AS by_ulid WHERE "
        "by_ulid.{parent_ulid} = {name}.{fk_ulid}))",
        fmt::arg("name", name), fmt::arg("fk", column), fmt::arg("parent", SqlName(parent->name)),
        fmt::arg("parent_ulid", parent_ulid), fmt::arg("fk_ulid", column_ulid));
  }
  const std::string wrong_rows = fmt::format(
      "FROM {name} LEFT JOIN {parent} AS parent_row ON parent_row.{parent_key} = {name}.{fk} "
      "WHERE ({name}.{fk} IS NOT NULL AND parent_row.{parent_key} IS NOT NULL AND "
      "({name}.{fk_ulid} IS NULL OR {name}.{fk_ulid} <> parent_row.{parent_ulid})) OR ({no_old})",
      fmt::arg("name", name), fmt::arg("parent", SqlName(parent->name)),
      fmt::arg("parent_key", parent_key), fmt::arg("fk", column), fmt::arg("fk_ulid", column_ulid),
      fmt::arg("parent_ulid", parent_ulid), fmt::arg("no_old", no_old_parent));
  int64_t wrong = 0;
  FERRY_RETURN_IF_ERROR(Count(sql, "SELECT COUNT(*) " + wrong_rows, &wrong));
  if (wrong > 0) {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(sql.Select(
        fmt::format("SELECT CAST({name}.{key} AS TEXT), CAST({name}.{fk} AS TEXT), "
                    "{name}.{fk_ulid}, parent_row.{parent_ulid}, CAST(parent_row.{parent_key} AS "
                    "TEXT) {rows} ORDER BY {name}.{key} LIMIT {limit}",
                    fmt::arg("name", name), fmt::arg("key", SqlName(table.key)),
                    fmt::arg("parent_key", parent_key), fmt::arg("fk", column),
                    fmt::arg("fk_ulid", column_ulid), fmt::arg("parent_ulid", parent_ulid),
                    fmt::arg("rows", wrong_rows), fmt::arg("limit", kUlidExamples)),
        &rows));
    for (const auto& row : rows) {
      std::string what = !row[1] && table.switched
                             ? fmt::format("names no row of {} by its ULID", parent->name)
                         : !row[1] ? "a ULID where the reference is NULL"
                         : !row[4] ? fmt::format("a ULID where {} {} names no row of {}",
                                                 old_column, *row[1], parent->name)
                                   : fmt::format("not the ULID of {} row {} ({})", parent->name,
                                                 *row[1], row[3].value_or("NULL"));
      out->findings.push_back({table.name, ulid_column, row[0].value_or("NULL"),
                               row[2].value_or("NULL"), std::move(what)});
    }
    out->problems.push_back(fmt::format("{}.{}: {} rows whose {} is not their parent's ULID",
                                        table.name, key.column, wrong, ulid_column));
  }
  return Status::OK();
}

}  // namespace

Status VerifyRekey(RekeySql& sql, const RekeyPlan& plan, RekeyVerification* out) {
  for (const RekeyTable& table : plan.tables) {
    FERRY_RETURN_IF_ERROR(VerifyKeys(sql, table, out));
    for (const RekeyForeignKey& key : table.foreign_keys) {
      FERRY_RETURN_IF_ERROR(VerifyForeignKey(sql, plan, table, key, out));
    }
  }
  return Status::OK();
}

}  // namespace ferry
