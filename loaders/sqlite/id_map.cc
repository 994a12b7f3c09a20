#include "loaders/sqlite/id_map.h"

#include "loaders/sqlite/bookkeeping.h"
#include "loaders/sqlite/bound_statement.h"
#include "loaders/sqlite/statement_text.h"

namespace ferry::sqlite {

namespace {

std::string IdMapInsertSql() {
  return std::string("INSERT INTO ") + kIdMapTable + " (" + kIdMapColumns +
         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (entity, user_id, legacy_id) ";
}

// Binds `values` to ?1, ?2, ... without copying; fails on the first refusal.
Status BindAll(sqlite3* db, sqlite3_stmt* stmt, std::initializer_list<const std::string*> values) {
  int index = 1;
  for (const std::string* value : values) {
    int rc = BindText(stmt, index++, *value);
    if (rc != SQLITE_OK) {
      return SqliteError(rc, db, "binding an id map value");
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<IdMap>> IdMap::Prepare(sqlite3* db) {
  FERRY_ASSIGN_OR_RETURN(Statement find,
                         sqlite::Prepare(db,
                                         "SELECT ulid, content_hash, run_id FROM ferry_id_map "
                                         "WHERE entity = ?1 AND user_id = ?2 AND legacy_id = ?3",
                                         /*persistent=*/true));
  FERRY_ASSIGN_OR_RETURN(
      Statement record,
      sqlite::Prepare(db,
                      IdMapInsertSql() +
                          "DO UPDATE SET ulid = excluded.ulid, "
                          "content_hash = excluded.content_hash, run_id = excluded.run_id, "
                          "updated_at = excluded.updated_at",
                      true));
  return std::make_unique<IdMap>(db, std::move(find), std::move(record));
}

Result<std::optional<KnownIdentity>> IdMap::Find(const std::string& entity,
                                                 const std::string& user_id,
                                                 const std::string& legacy_id) {
  ResetOnExit reset(find_.get());
  FERRY_RETURN_IF_ERROR(BindAll(db_, find_.get(), {&entity, &user_id, &legacy_id}));
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db_, find_.get(), "reading ferry_id_map"));
  if (!has_row) {
    return std::optional<KnownIdentity>();
  }
  return std::optional<KnownIdentity>(KnownIdentity{
      ColumnText(find_.get(), 0), ColumnText(find_.get(), 1), ColumnText(find_.get(), 2)});
}

Status IdMap::BindBatch(const std::string& entity, const std::string& user_id,
                        const std::string& run_id, const std::string& now) {
  for (auto [index, value] : {std::pair{1, &entity}, {2, &user_id}, {6, &run_id}, {7, &now}}) {
    int rc = BindText(record_.get(), index, *value);
    if (rc != SQLITE_OK) {
      return SqliteError(rc, db_, "binding an id map value");
    }
  }
  return Status::OK();
}

Result<bool> IdMap::Record(const IdentityRecord& identity) {
  sqlite3_stmt* stmt = record_.get();
  // The batch's values stay bound for the next row; ClearBindings() ends the batch.
  ResetOnExit reset(stmt, ResetOnExit::Bindings::kKeep);
  for (auto [index, value] :
       {std::pair{3, &identity.legacy_id}, {4, &identity.ulid}, {5, &identity.content_hash}}) {
    int rc = BindText(stmt, index, *value);
    if (rc != SQLITE_OK) {
      return SqliteError(rc, db_, "binding an id map value");
    }
  }
  FERRY_ASSIGN_OR_RETURN(bool has_row, Step(db_, stmt, "writing ferry_id_map"));
  (void)has_row;  // an INSERT returns no row
  return sqlite3_changes(db_) > 0;
}

void IdMap::ClearBindings() { sqlite3_clear_bindings(record_.get()); }

}  // namespace ferry::sqlite
