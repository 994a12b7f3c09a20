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
#include "loaders/loader.h"

namespace ferry {

using TextRows = std::vector<std::vector<std::optional<std::string>>>;

class RekeySql {
 public:
  RekeySql() = default;
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
  // The start of an INSERT ... SELECT into ferry's id map, up to and including "SELECT " and
  // the values the target adds of its own (PostgreSQL: the schema); the SELECT list goes on
  // with entity, user_id, legacy_id, ulid, content_hash, run_id, updated_at.
  virtual std::string IdMapInsertHead() const = 0;
  // ferry's id map, quoted ("ferry_id_map", ferry.id_map).
  virtual std::string IdMapTable() const = 0;
  // An SQL expression for the time now, of the id map's updated_at type.
  virtual std::string NowExpression() const = 0;
  // ferry's run history and audit log, quoted ("ferry_runs", ferry.audit_log).
  virtual std::string RunsTable() const = 0;
  virtual std::string AuditTable() const = 0;
  // An INSERT of one audit-log row (run, action, detail; the time, host and OS user are the
  // target's or this process's).
  virtual std::string AuditInsert(const std::string& run_id, const std::string& action,
                                  const std::string& detail) const = 0;
  // "SQLite" or "PostgreSQL".
  virtual const char* name() const = 0;

  // The longest Execute so far, in milliseconds: an upper bound of the longest time rekey held
  // a write lock (docs/rekey.md, "Locks"; docs/benchmarks.md).
  double longest_write_ms() const { return longest_write_ms_; }

 protected:
  void NoteWrite(double ms) { longest_write_ms_ = std::max(longest_write_ms_, ms); }

 private:
  double longest_write_ms_ = 0;
};

// A session on `target` (an existing SQLite file: never created; a PostgreSQL URL).
Result<std::unique_ptr<RekeySql>> OpenRekeySql(const TargetSpec& target);

// `text` as an SQL string literal: in single quotes, a quote doubled.
std::string SqlLiteral(const std::string& text);

// `name` as an SQL identifier: in double quotes, a double quote doubled.
std::string SqlName(const std::string& name);

}  // namespace ferry
