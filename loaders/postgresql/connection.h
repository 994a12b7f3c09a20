// Session: one libpq connection to the PostgreSQL target, with what ferry learns on connecting.
//
// The URL goes to libpq unchanged, so everything psql honours works the same: the libpq
// environment variables (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE, ...), ~/.pgpass (or
// PGPASSFILE), sslmode and the other URL parameters. The session speaks UTF-8 whatever the
// server's default, and keeps the server's NOTICEs out of the user's terminal (they go to the
// debug log, scrubbed).
//
// Thread safety: a session belongs to one thread at a time.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <pqxx/errorhandler>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ferry::postgres {

// `url` (a postgresql:// URL or a keyword/value string) with TCP keepalives and a TCP user
// timeout added where the user set none, so that a connection whose peer is gone fails within
// about a minute instead of the OS's two hours (docs/reliability.md): keepalives=1,
// keepalives_idle=30, keepalives_interval=10, keepalives_count=3, tcp_user_timeout=60000; and
// connect_timeout=10 (unless PGCONNECT_TIMEOUT is set), so that a host that never answers
// fails each connection attempt (per address) within 10 s instead of the OS's TCP timeout.
// The session also asks the server for the same bounds on its side (when the server has none),
// so that a dead client's backend, and its advisory locks, go as soon.
std::string WithKeepaliveDefaults(const std::string& url);

class Session {
 public:
  // Connects. Fails naming the database as `role` ("target", or "source" for a database
  // read as a source) with its password hidden: InvalidArgument for a refused login or a
  // missing database, Unavailable when the server cannot be reached.
  static Result<std::unique_ptr<Session>> Open(const std::string& url,
                                               std::string_view role = "target");

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  pqxx::connection& connection() { return *connection_; }
  // The secrets to scrub from every message (secrets.h).
  const std::vector<std::string>& secrets() const { return secrets_; }
  // The target as it may be shown ("postgresql://u:****@host/db").
  const std::string& display_name() const { return display_name_; }
  // current_schema(): where the mapping's tables live.
  const std::string& schema() const { return schema_; }
  int server_version() const { return server_version_; }

  // True once this session saw ferry.checkpoints keyed by schema (bookkeeping 2 or later):
  // it stays so while the session lives (a run upgrades, never downgrades, it), so that a
  // checkpoint read is one statement instead of a read transaction of four.
  bool keyed_checkpoints_seen() const { return keyed_checkpoints_seen_; }
  void NoteKeyedCheckpoints() { keyed_checkpoints_seen_ = true; }

 private:
  Session() = default;

  std::vector<std::string> secrets_;
  std::string display_name_;
  std::string schema_;
  int server_version_ = 0;
  bool keyed_checkpoints_seen_ = false;
  std::unique_ptr<pqxx::connection> connection_;
  // Declared after the connection so that it is destroyed first (it unregisters from it).
  std::unique_ptr<pqxx::errorhandler> notices_;
};

}  // namespace ferry::postgres
