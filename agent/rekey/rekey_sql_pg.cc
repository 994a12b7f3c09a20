#include "agent/rekey/rekey_sql_pg.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <pqxx/pqxx>

#include "base/fault_point.h"
#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/secrets.h"

namespace ferry {

namespace {

class PostgresRekeySql : public RekeySql {
 public:
  PostgresRekeySql(const BookkeepingSql& bookkeeping, std::unique_ptr<postgres::Session> session)
      : RekeySql(bookkeeping), session_(std::move(session)) {}

  Status Execute(const std::string& statements, const char* fault_point = nullptr) override {
    auto started = std::chrono::steady_clock::now();
    Status status = Guard([&] {
      pqxx::work work(session_->connection());
      work.exec(statements);
      if (fault_point != nullptr) FaultPoint(fault_point);
      work.commit();
    });
    NoteWrite(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count());
    return status;
  }

  Status SetByKey(const std::string& table, const std::string& key, const std::string& column,
                  const std::vector<std::pair<std::string, std::string>>& values) override {
    if (values.empty()) return Status::OK();
    // The VALUES list's columns are text; the key is compared in its own type, so that the
    // join uses the key's index (an integer key read as text would not).
    std::string type;
    FERRY_RETURN_IF_ERROR(KeyType(table, key, &type));
    std::string rows;
    for (const auto& [row_key, value] : values) {
      rows += fmt::format("{}({}, {})", rows.empty() ? "" : ", ", SqlLiteral(row_key),
                          SqlLiteral(value));
    }
    return Execute(fmt::format(
        "UPDATE {table} SET {column} = batch.column2 FROM (VALUES {rows}) AS batch WHERE "
        "{table}.{key} = CAST(batch.column1 AS {type})",
        fmt::arg("table", SqlName(table)), fmt::arg("column", SqlName(column)),
        fmt::arg("rows", rows), fmt::arg("key", SqlName(key)), fmt::arg("type", type)));
  }

  Status Select(const std::string& sql, TextRows* rows) override {
    rows->clear();
    return Guard([&] {
      pqxx::work work(session_->connection());
      pqxx::result result = work.exec(sql);
      work.commit();
      for (const auto& row : result) {
        auto& out = rows->emplace_back();
        for (const auto& field : row) {
          if (field.is_null()) {
            out.emplace_back(std::nullopt);
          } else {
            out.emplace_back(std::string(field.c_str(), field.size()));
          }
        }
      }
    });
  }

  Status HasColumn(const std::string& table, const std::string& column, bool* table_exists,
                   bool* has) override {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(Select(
        fmt::format("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND table_name = {}",
                    SqlLiteral(table)),
        &rows));
    return FindColumn(rows, column, table_exists, has);
  }

  Status ForeignKeys(const std::string& table,
                     std::vector<std::array<std::string, 3>>* keys) override {
    TextRows rows;
    FERRY_RETURN_IF_ERROR(Select(
        fmt::format(
            "SELECT a.attname, parent.relname, pa.attname FROM pg_constraint c JOIN pg_class "
            "child ON child.oid = c.conrelid JOIN pg_namespace n ON n.oid = child.relnamespace "
            "JOIN pg_class parent ON parent.oid = c.confrelid JOIN pg_attribute a ON a.attrelid "
            "= c.conrelid AND a.attnum = c.conkey[1] JOIN pg_attribute pa ON pa.attrelid = "
            "c.confrelid AND pa.attnum = c.confkey[1] WHERE c.contype = 'f' AND n.nspname = "
            "current_schema() AND child.relname = {} AND cardinality(c.conkey) = 1 ORDER BY "
            "c.conname",
            SqlLiteral(table)),
        &rows));
    return CollectForeignKeys(rows, keys);
  }

  const char* name() const override { return "PostgreSQL"; }

 private:
  template <typename Fn>
  Status Guard(Fn fn) {
    try {
      fn();
      return Status::OK();
    } catch (const pqxx::broken_connection& e) {
      return Status::Unavailable(
          postgres::ScrubSecrets(fmt::format("PostgreSQL: {}", e.what()), session_->secrets()));
    } catch (const std::exception& e) {
      return Status::IOError(
          postgres::ScrubSecrets(fmt::format("PostgreSQL: {}", e.what()), session_->secrets()));
    }
  }

  // The SQL type of `table`.`key` in the session's schema ("bigint", "character
  // varying(36)"), read from the catalog once per column.
  Status KeyType(const std::string& table, const std::string& key, std::string* type) {
    auto known = key_types_.find({table, key});
    if (known != key_types_.end()) {
      *type = known->second;
      return Status::OK();
    }
    TextRows rows;
    FERRY_RETURN_IF_ERROR(Select(
        fmt::format("SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN "
                    "pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE n.nspname = current_schema() AND c.relname = {} AND "
                    "a.attname = {} AND NOT a.attisdropped",
                    SqlLiteral(table), SqlLiteral(key)),
        &rows));
    if (rows.empty() || !rows[0][0]) {
      return Status::InvalidArgument(fmt::format("rekey: no column {}.{}", table, key));
    }
    *type = *rows[0][0];
    key_types_[{table, key}] = *type;
    return Status::OK();
  }

  std::unique_ptr<postgres::Session> session_;
  std::map<std::pair<std::string, std::string>, std::string> key_types_;
};

}  // namespace

Result<std::unique_ptr<RekeySql>> OpenPostgresRekeySql(const TargetSpec& target,
                                                       const BookkeepingSql& bookkeeping,
                                                       bool read_only) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<postgres::Session> session,
                         postgres::Session::Open(target.url));
  auto sql = std::make_unique<PostgresRekeySql>(bookkeeping, std::move(session));
  FERRY_RETURN_IF_ERROR(
      sql->Execute(std::string("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'") +
                   (read_only ? "; SET default_transaction_read_only = on" : "")));
  return std::unique_ptr<RekeySql>(std::move(sql));
}

}  // namespace ferry
