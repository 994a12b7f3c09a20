// RekeySql: the few things `ferry rekey` asks of the target database, SQLite or PostgreSQL,
// in the SQL both speak (double-quoted identifiers, CAST(x AS TEXT), LIMIT). Each call is its
// own short transaction: no lock is held between calls (docs/rekey.md, "Locks").
//
// PostgreSQL sessions use TimeZone UTC and DateStyle ISO, so that a timestamptz reads back as
// "2022-01-01 00:00:00.123+00".
//
// Thread safety: one thread at a time.
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "loaders/bookkeeping_sql.h"
#include "loaders/loader.h"

namespace ferry {

using TextRows = std::vector<std::vector<std::optional<std::string>>>;

class RekeySql {
 public:
  explicit RekeySql(const BookkeepingSql& bookkeeping) : bookkeeping_(&bookkeeping) {}
  RekeySql(const RekeySql&) = delete;
  RekeySql& operator=(const RekeySql&) = delete;
  virtual ~RekeySql() = default;

  // Runs `statements` (any number, separated by ';') in one transaction, committed on return.
  // `fault_point`, when given, is passed (base/fault_point.h) after the statements and before
  // the commit: a kill there leaves the database as it was.
  virtual Status Execute(const std::string& statements, const char* fault_point = nullptr) = 0;
  // Sets `column` of each row of `table` whose `key`, as text, is a pair's first to the pair's
  // second, in one transaction: one statement on PostgreSQL (UPDATE ... FROM (VALUES ...), one
  // round trip per batch), one cheap in-process UPDATE per row on SQLite.
  virtual Status SetByKey(const std::string& table, const std::string& key,
                          const std::string& column,
                          const std::vector<std::pair<std::string, std::string>>& values) = 0;
  // Runs one SELECT; every value as text, nullopt for NULL.
  virtual Status Select(const std::string& sql, TextRows* rows) = 0;
  // Whether `table` (in the session's schema) has `column`; false when the table is missing
  // too (*table_exists says which).
  virtual Status HasColumn(const std::string& table, const std::string& column, bool* table_exists,
                           bool* has) = 0;
  // The one-column foreign keys of `table` as the catalog declares them (SQLite:
  // pragma_foreign_key_list; PostgreSQL: pg_constraint in the session's schema), each as
  // {column, parent table, parent column}; a parent column SQLite leaves unnamed is "".
  virtual Status ForeignKeys(const std::string& table,
                             std::vector<std::array<std::string, 3>>* keys) = 0;
  // ferry's bookkeeping tables as the loaders name and fill them (loaders/bookkeeping_sql.h):
  // the id map, run history and audit log, quoted ("ferry_id_map", ferry.id_map); a condition
  // keeping the session's id-map rows; the start of an INSERT ... SELECT into the id map; the
  // time now; one audit-log row's INSERT.
  std::string IdMapTable() const { return bookkeeping_->IdMapTable(); }
  std::string RunsTable() const { return bookkeeping_->RunsTable(); }
  std::string AuditTable() const { return bookkeeping_->AuditTable(); }
  std::string IdMapScope(const std::string& alias) const { return bookkeeping_->IdMapScope(alias); }
  std::string IdMapInsertHead() const { return bookkeeping_->IdMapInsertHead(); }
  std::string NowExpression() const { return bookkeeping_->NowExpression(); }
  std::string AuditInsert(const std::string& run_id, const std::string& action,
                          const std::string& detail) const {
    return bookkeeping_->AuditInsert(run_id, action, detail);
  }
  // "SQLite" or "PostgreSQL".
  virtual const char* name() const = 0;

  // The longest Execute so far, in milliseconds: an upper bound of the longest time rekey held
  // a write lock (docs/rekey.md, "Locks"; docs/benchmarks.md).
  double longest_write_ms() const { return longest_write_ms_; }

 protected:
  void NoteWrite(double ms) { longest_write_ms_ = std::max(longest_write_ms_, ms); }
  // ForeignKeys' answer from the catalog's rows of (column, parent table, parent column).
  static Status CollectForeignKeys(const TextRows& rows,
                                   std::vector<std::array<std::string, 3>>* keys);
  // HasColumn's answer from the catalog's rows of the table's column names (none: no table).
  static Status FindColumn(const TextRows& rows, const std::string& column, bool* table_exists,
                           bool* has);

 private:
  const BookkeepingSql* bookkeeping_;
  double longest_write_ms_ = 0;
};

// A session on `target` (an existing SQLite file: never created; a PostgreSQL URL). With
// `read_only` (ferry validate) the database refuses every write: SQLite opens the file read-only,
// PostgreSQL sets default_transaction_read_only.
Result<std::unique_ptr<RekeySql>> OpenRekeySql(const TargetSpec& target, bool read_only = false);

// `text` as an SQL string literal: in single quotes, a quote doubled.
std::string SqlLiteral(const std::string& text);

// `name` as an SQL identifier: in double quotes, a double quote doubled.
std::string SqlName(const std::string& name);

}  // namespace ferry
