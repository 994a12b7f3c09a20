// SourceSnapshot: a PostgreSQL database read as a source (docs/database-sources.md), through
// one READ ONLY transaction at REPEATABLE READ, so that the catalog, the row counts and every
// row come from one consistent snapshot however long the read takes, and the server itself
// refuses any write (ferry never writes to a source).
//
// The URL goes to libpq unchanged (loaders/postgresql/connection.h: environment, .pgpass,
// sslmode); every printed form of it is display_name(), with the password removed.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <pqxx/transaction>
#include <string>

#include "base/result.h"
#include "extractors/sqlite/catalog.h"
#include "loaders/postgresql/connection.h"
#include "loaders/postgresql/pg_error.h"

namespace ferry::postgresql_source {

class SourceSnapshot {
 public:
  // Connects to `url` and begins the read-only snapshot transaction; reads the catalog of
  // the session's current schema. Fails naming the database (password hidden).
  static Result<std::unique_ptr<SourceSnapshot>> Open(const std::string& url);

  ~SourceSnapshot();
  SourceSnapshot(const SourceSnapshot&) = delete;
  SourceSnapshot& operator=(const SourceSnapshot&) = delete;

  // Runs `body(txn)` inside the snapshot, turning a pqxx exception into a Status naming
  // `what` and the database.
  template <typename Body>
  Status Run(std::string_view what, Body&& body) {
    return postgres::Guarded(display_name() + ": " + std::string(what), session_->secrets(),
                             [&]() -> Status { return body(*txn_); });
  }

  const sqlite_source::Catalog& catalog() const { return catalog_; }
  // The schema whose tables are read (current_schema() of the session).
  const std::string& schema() const { return session_->schema(); }
  // The URL as it may be shown: "postgresql://u:****@host/db".
  const std::string& display_name() const { return session_->display_name(); }
  // "schema"."table".
  std::string Qualified(const std::string& table) const;

 private:
  using ReadOnlySnapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;
  SourceSnapshot() = default;

  std::unique_ptr<postgres::Session> session_;
  std::unique_ptr<ReadOnlySnapshot> txn_;  // destroyed (rolled back) before the session
  sqlite_source::Catalog catalog_;
};

// True for a "postgresql://" or "postgres://" URL.
bool IsDatabaseUrl(std::string_view text);

}  // namespace ferry::postgresql_source
