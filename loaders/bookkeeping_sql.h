// BookkeepingSql: ferry's bookkeeping tables (run history, id map, audit log) as SQL written
// outside a loader names and fills them: `ferry rekey` writes its id-map rows, audit rows and
// run status in statements of its own. Each target kind's are defined beside its bookkeeping
// (loaders/sqlite/bookkeeping.h, loaders/postgresql/bookkeeping.h) from the same names its
// loader uses, so that a change of the bookkeeping cannot miss them.
//
// Thread safety: immutable singletons, thread-safe.
#pragma once

#include <string>

#include "base/result.h"

namespace ferry {

class BookkeepingSql {
 public:
  virtual ~BookkeepingSql() = default;

  // The tables, quoted as SQL names them ("ferry_id_map", ferry.id_map).
  virtual std::string IdMapTable() const = 0;
  virtual std::string RunsTable() const = 0;
  virtual std::string AuditTable() const = 0;
  // A condition on id-map rows (the table under `alias`) that keeps this session's: on
  // PostgreSQL those of the session's schema (current_schema()), on SQLite every row.
  virtual std::string IdMapScope(const std::string& alias) const = 0;
  // The start of an INSERT ... SELECT into the id map, up to and including "SELECT " and the
  // values the target adds of its own (PostgreSQL: the schema); the SELECT list goes on with
  // entity, user_id, legacy_id, ulid, content_hash, run_id, updated_at.
  virtual std::string IdMapInsertHead() const = 0;
  // An SQL expression for the time now, of the id map's updated_at type.
  virtual std::string NowExpression() const = 0;
  // An INSERT of one audit-log row (run, action, detail; the time, host and OS user are the
  // target's or this process's). `detail` and the others are quoted here.
  virtual std::string AuditInsert(const std::string& run_id, const std::string& action,
                                  const std::string& detail) const = 0;
};

// The bookkeeping SQL of target kind `kind` ("sqlite", "postgresql"); InvalidArgument for
// another.
Result<const BookkeepingSql*> BookkeepingSqlOf(const std::string& kind);

}  // namespace ferry
