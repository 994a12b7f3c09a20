#include "loaders/bookkeeping_sql.h"

#include <fmt/format.h>

#include "loaders/postgresql/bookkeeping_tables.h"
#include "loaders/postgresql/sql_identifier.h"
#include "loaders/process_identity.h"
#include "loaders/sqlite/bookkeeping.h"

namespace ferry {

namespace {

// An SQLite string literal: in single quotes, a quote doubled.
std::string SqliteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

class SqliteBookkeepingSql : public BookkeepingSql {
 public:
  std::string IdMapTable() const override { return sqlite::kIdMapTable; }
  std::string RunsTable() const override { return sqlite::kRunsTable; }
  std::string AuditTable() const override { return sqlite::kAuditLogTable; }
  std::string IdMapScope(const std::string& alias) const override {
    (void)alias;  // one schema per file
    return "1 = 1";
  }
  std::string IdMapInsertHead() const override {
    return fmt::format("INSERT INTO {} ({}) SELECT ", sqlite::kIdMapTable, sqlite::kIdMapColumns);
  }
  // The text sqlite::NowText() writes ("2024-01-02T03:04:05.678Z").
  std::string NowExpression() const override { return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"; }
  // (at, run_id, action) is the table's key, at in milliseconds: an entry of a run and action
  // that has one at this millisecond or later already (a rekey switching two groups of tables
  // in one millisecond) takes the millisecond after the latest, as sqlite::Audit takes the
  // next free one. The times are all NowText's form, so text order is time order.
  std::string AuditInsert(const std::string& run_id, const std::string& action,
                          const std::string& detail) const override {
    return fmt::format(
        "INSERT INTO {table} ({columns}) SELECT CASE WHEN latest IS NULL OR latest < now THEN "
        "now ELSE strftime('%Y-%m-%dT%H:%M:%fZ', julianday(latest) + 1.0 / 86400000) END, {run}, "
        "{action}, {detail}, {os_user}, {host} FROM (SELECT {now} AS now, (SELECT max(at) FROM "
        "{table} WHERE run_id = {run} AND action = {action}) AS latest)",
        fmt::arg("table", sqlite::kAuditLogTable), fmt::arg("columns", sqlite::kAuditLogColumns),
        fmt::arg("now", NowExpression()), fmt::arg("run", SqliteLiteral(run_id)),
        fmt::arg("action", SqliteLiteral(action)), fmt::arg("detail", SqliteLiteral(detail)),
        fmt::arg("os_user", SqliteLiteral(ThisOsUser())),
        fmt::arg("host", SqliteLiteral(ThisHost())));
  }
};

class PostgresBookkeepingSql : public BookkeepingSql {
 public:
  std::string IdMapTable() const override { return postgres::kIdMapTable; }
  std::string RunsTable() const override { return postgres::kRunsTable; }
  std::string AuditTable() const override { return postgres::kAuditLogTable; }
  // Bookkeeping 2 keys the id map by the schema the tables are in (the session's).
  std::string IdMapScope(const std::string& alias) const override {
    return alias + ".target_schema = current_schema()";
  }
  std::string IdMapInsertHead() const override {
    return fmt::format(
        "INSERT INTO {} (target_schema, entity, user_id, legacy_id, ulid, content_hash, run_id, "
        "updated_at) SELECT current_schema(), ",
        postgres::kIdMapTable);
  }
  std::string NowExpression() const override { return "now()"; }
  std::string AuditInsert(const std::string& run_id, const std::string& action,
                          const std::string& detail) const override {
    // The time is the column's default, as postgres::Audit leaves it.
    return fmt::format("INSERT INTO {} ({}) VALUES ({}, {}, {}, {}, {})", postgres::kAuditLogTable,
                       postgres::kAuditLogColumns, postgres::QuoteLiteral(run_id),
                       postgres::QuoteLiteral(action), postgres::QuoteLiteral(detail),
                       postgres::QuoteLiteral(ThisOsUser()), postgres::QuoteLiteral(ThisHost()));
  }
};

}  // namespace

Result<const BookkeepingSql*> BookkeepingSqlOf(const std::string& kind) {
  static const SqliteBookkeepingSql kSqlite{};
  static const PostgresBookkeepingSql kPostgres{};
  if (kind == "sqlite") return static_cast<const BookkeepingSql*>(&kSqlite);
  if (kind == "postgresql") return static_cast<const BookkeepingSql*>(&kPostgres);
  return Status::InvalidArgument("ferry keeps no bookkeeping in a target of kind " + kind);
}

}  // namespace ferry
