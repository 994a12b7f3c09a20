#include "agent/rekey/rekey_sql.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>

#include "base/fault_point.h"
#include "loaders/postgresql_module.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry {

Status RekeySql::CollectForeignKeys(const TextRows& rows,
                                    std::vector<std::array<std::string, 3>>* keys) {
  keys->clear();
  for (const auto& row : rows) {
    keys->push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or("")});
  }
  return Status::OK();
}

Status RekeySql::FindColumn(const TextRows& rows, const std::string& column, bool* table_exists,
                            bool* has) {
  *table_exists = !rows.empty();
  *has = false;
  for (const auto& row : rows) {
    if (row[0] == column) *has = true;
  }
  return Status::OK();
}

namespace {

class SqliteRekeySql : public RekeySql {
 public:
  explicit SqliteRekeySql(const BookkeepingSql& bookkeeping, sqlite::Database db)
      : RekeySql(bookkeeping), db_(std::move(db)) {}

  Status Execute(const std::string& statements, const char* fault_point = nullptr) override {
    std::string wrapped = "BEGIN IMMEDIATE;\n" + statements + ";";
    auto started = std::chrono::steady_clock::now();
    Status status = sqlite::Exec(db_.get(), wrapped.c_str(), "rekey");
    if (status.ok() && fault_point != nullptr) FaultPoint(fault_point);
    if (status.ok()) status = sqlite::Exec(db_.get(), "COMMIT", "rekey");
    NoteWrite(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count());
    if (!status.ok() && !sqlite3_get_autocommit(db_.get())) {
      (void)sqlite::Exec(db_.get(), "ROLLBACK", "rekey");
    }
    return status;
  }

  Status SetByKey(const std::string& table, const std::string& key, const std::string& column,
                  const std::vector<std::pair<std::string, std::string>>& values) override {
    std::string updates;
    for (const auto& [row_key, value] : values) {
      updates += fmt::format("UPDATE {} SET {} = {} WHERE {} = {};\n", SqlName(table),
                             SqlName(column), SqlLiteral(value), SqlName(key), SqlLiteral(row_key));
    }
    return updates.empty() ? Status::OK() : Execute(updates);
  }

  Status Select(const std::string& sql, TextRows* rows) override {
    rows->clear();
    FERRY_ASSIGN_OR_RETURN(sqlite::Statement statement, sqlite::Prepare(db_.get(), sql));
    for (;;) {
      FERRY_ASSIGN_OR_RETURN(bool row, sqlite::Step(db_.get(), statement.get(), "rekey"));
      if (!row) break;
      auto& out = rows->emplace_back();
      int width = sqlite3_column_count(statement.get());
      for (int i = 0; i < width; ++i) {
        const unsigned char* text = sqlite3_column_text(statement.get(), i);
        if (text == nullptr) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(std::string(reinterpret_cast<const char*>(text),
                                       sqlite3_column_bytes(statement.get(), i)));
        }
      }
    }
    return Status::OK();
  }

  Status HasColumn(const std::string& table, const std::string& column, bool* table_exists,
                   bool* has) override {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(
        Select(fmt::format("SELECT name FROM pragma_table_info({})", SqlLiteral(table)), &rows));
    return FindColumn(rows, column, table_exists, has);
  }

  Status ForeignKeys(const std::string& table,
                     std::vector<std::array<std::string, 3>>* keys) override {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(Select(
        fmt::format("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list({0}) WHERE id "
                    "IN (SELECT id FROM pragma_foreign_key_list({0}) GROUP BY id HAVING "
                    "COUNT(*) = 1)",
                    SqlLiteral(table)),
        &rows));
    return CollectForeignKeys(rows, keys);
  }

  const char* name() const override { return "SQLite"; }

 private:
  sqlite::Database db_;
};

}  // namespace

std::string SqlLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string SqlName(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

Result<std::unique_ptr<RekeySql>> OpenRekeySql(const TargetSpec& target, bool read_only) {
  if (target.kind == "sqlite") {
    FERRY_ASSIGN_OR_RETURN(const BookkeepingSql* bookkeeping, BookkeepingSqlOf(target.kind));
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(target.path.c_str(), &raw,
                             read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, nullptr);
    sqlite::Database db(raw);
    if (rc != SQLITE_OK) {
      return sqlite::SqliteError(rc, db.get(), fmt::format("open {}", target.path));
    }
    sqlite::SetBusyTimeout(db.get(), 10000);
    // As SQLite's default, said: the switch's table rebuild (key_switch.h) needs foreign keys
    // off, so that renaming a table away leaves every REFERENCES to it where it was.
    FERRY_RETURN_IF_ERROR(sqlite::Exec(db.get(), "PRAGMA foreign_keys = OFF", "rekey"));
    return std::unique_ptr<RekeySql>(std::make_unique<SqliteRekeySql>(*bookkeeping, std::move(db)));
  }
  if (target.kind == "postgresql") {
    FERRY_ASSIGN_OR_RETURN(const BookkeepingSql* bookkeeping, BookkeepingSqlOf(target.kind));
    FERRY_ASSIGN_OR_RETURN(const PostgresqlModuleApi* postgresql, PostgresqlModule());
    return postgresql->open_rekey_sql(target, *bookkeeping, read_only);
  }
  return Status::InvalidArgument(
      fmt::format("rekey: target kind {} is not supported", target.kind));
}

}  // namespace ferry
