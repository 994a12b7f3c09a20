// IdMap: the prepared statements on ferry_id_map, reused for every lookup and batch.
//
// Every statement goes through the table's primary key (entity, user_id, legacy_id). Writes
// look up and write in one statement (an upsert whose change count says what it found), which
// is a third fewer statements per row than a SELECT followed by a write.
//
// Thread safety: used by the thread that owns the connection.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "loaders/loader.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

class IdMap {
 public:
  // REQUIRES: ferry_id_map exists. The connection must outlive the IdMap.
  static Result<std::unique_ptr<IdMap>> Prepare(sqlite3* db);

  // Use Prepare().
  IdMap(sqlite3* db, Statement find, Statement record)
      : db_(db), find_(std::move(find)), record_(std::move(record)) {}
  IdMap(const IdMap&) = delete;
  IdMap& operator=(const IdMap&) = delete;

  // What the id map knows of (entity, user_id, legacy_id), or nullopt.
  Result<std::optional<KnownIdentity>> Find(const std::string& entity, const std::string& user_id,
                                            const std::string& legacy_id);

  // Binds what every row of a batch shares to the write statement, once per batch, without
  // copying: the strings must stay alive and unchanged until the batch's last Record.
  Status BindBatch(const std::string& entity, const std::string& user_id, const std::string& run_id,
                   const std::string& now);

  // Forgets what BindBatch() bound, at the end of a batch.
  void ClearBindings();

  // Adds or replaces that row. True when it was written. REQUIRES: BindBatch() for this batch.
  Result<bool> Record(const IdentityRecord& identity);

 private:
  sqlite3* db_;
  Statement find_;
  Statement record_;
};

}  // namespace ferry::sqlite
