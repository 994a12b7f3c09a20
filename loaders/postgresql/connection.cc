#include "loaders/postgresql/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <pqxx/nontransaction>
#include <string_view>

#include "loaders/postgresql/pg_error.h"
#include "loaders/postgresql/secrets.h"
#include "loaders/redact_url.h"

namespace ferry::postgres {

namespace {

// The oldest server ferry's statements run on (ON CONFLICT, identity columns, WITH ORDINALITY).
constexpr int kMinServerVersion = 100000;

// Sends the server's NOTICEs ("relation ... already exists, skipping") to the debug log
// instead of pqxx's default, stderr.
class QuietNotices final : public pqxx::errorhandler {
 public:
  QuietNotices(pqxx::connection_base& connection, std::vector<std::string> secrets)
      : pqxx::errorhandler(connection), secrets_(std::move(secrets)) {}

  bool operator()(const char message[]) noexcept override {
    try {
      spdlog::debug("postgresql: {}", ScrubSecrets(message, secrets_));
    } catch (...) {
      // A notice is never worth failing for.
    }
    return false;  // handled: no other handler (pqxx's stderr one) sees it
  }

 private:
  std::vector<std::string> secrets_;
};

// Server-side bounds on a dead client, for a session whose server has none of its own (left at
// the default 0: the OS's, about two hours on Linux): the backend, and the advisory locks it holds,
// go about a minute after the client stops answering. Settings of the user's (options=-c...,
// postgresql.conf, ALTER ROLE) are kept.
void BoundDeadClient(pqxx::nontransaction& txn) {
  txn.exec(
      "SELECT set_config(name, value, false) FROM (VALUES "
      "('tcp_keepalives_idle', '30'), ('tcp_keepalives_interval', '10'), "
      "('tcp_keepalives_count', '3'), ('tcp_user_timeout', '60000')) AS wanted(name, value) "
      "WHERE EXISTS (SELECT 1 FROM pg_settings s WHERE s.name = wanted.name AND s.source = "
      "'default')");
}

}  // namespace

std::string WithKeepaliveDefaults(const std::string& url) {
  static const std::pair<const char*, const char*> kDefaults[] = {
      {"keepalives", "1"},       {"keepalives_idle", "30"},     {"keepalives_interval", "10"},
      {"keepalives_count", "3"}, {"tcp_user_timeout", "60000"}, {"connect_timeout", "10"},
  };
  bool is_uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  std::string out = url;
  for (const auto& [key, value] : kDefaults) {
    std::string assignment = std::string(key) + "=";
    // The user's own value, anywhere in the URL or string, wins.
    size_t at = out.find(assignment);
    bool given = false;
    while (at != std::string::npos && !given) {
      char before = at == 0 ? ' ' : out[at - 1];
      given = before == '?' || before == '&' || before == ' ' || before == '\t';
      at = out.find(assignment, at + 1);
    }
    // PGCONNECT_TIMEOUT is the user's bound too, which a value in the URL would override.
    const char* from_env = std::getenv("PGCONNECT_TIMEOUT");
    given = given || (std::string_view(key) == "connect_timeout" && from_env != nullptr &&
                      *from_env != '\0');
    if (given) continue;
    if (is_uri) {
      out += out.find('?') == std::string::npos ? '?' : '&';
    } else if (!out.empty()) {
      out += ' ';
    }
    out += assignment + value;
  }
  return out;
}

namespace {

// A query parameter of a URL that other tools read as the schema (JDBC's currentSchema,
// Prisma's and others' schema): libpq knows none of them and would refuse the URL with
// "invalid URI query parameter"; this says how libpq picks a schema. The name, or "".
std::string SchemaParameter(const std::string& url) {
  bool is_uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  size_t query = url.find('?');
  if (!is_uri || query == std::string::npos) return "";
  for (size_t at = query + 1; at < url.size();) {
    size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    std::string name = url.substr(at, std::min(url.find('=', at), end) - at);
    if (name == "schema" || name == "currentSchema" || name == "search_path") return name;
    at = end + 1;
  }
  return "";
}

}  // namespace

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::Open(const std::string& url, std::string_view role) {
  std::unique_ptr<Session> session(new Session());
  session->secrets_ = ConnectionSecrets(url);
  session->display_name_ = ScrubSecrets(RedactUrl(url), session->secrets_);
  std::string context = "PostgreSQL " + std::string(role) + " " + session->display_name_;
  if (std::string parameter = SchemaParameter(url); !parameter.empty()) {
    return Status::InvalidArgument(
        context + ": ?" + parameter +
        "= is not a PostgreSQL connection parameter; ferry works in the session's schema, which "
        "the URL picks with ?options=-csearch_path%3DNAME (docs/database-sources.md)");
  }
  Status status = Guarded(context, session->secrets_, [&]() -> Status {
    session->connection_ = std::make_unique<pqxx::connection>(WithKeepaliveDefaults(url));
    session->notices_ = std::make_unique<QuietNotices>(*session->connection_, session->secrets_);
    session->server_version_ = session->connection_->server_version();
    if (session->server_version_ < kMinServerVersion) {
      return Status::InvalidArgument(context + ": PostgreSQL " +
                                     std::to_string(session->server_version_ / 10000) +
                                     " is too old; ferry needs 10 or newer");
    }
    session->connection_->set_client_encoding("UTF8");
    pqxx::nontransaction txn(*session->connection_);
    txn.exec0("SET client_min_messages TO warning");
    BoundDeadClient(txn);
    pqxx::result schema = txn.exec("SELECT current_schema()");
    if (schema.empty() || schema[0][0].is_null()) {
      return Status::InvalidArgument(context +
                                     ": no schema to create tables in (search_path names no "
                                     "existing schema)");
    }
    session->schema_ = schema[0][0].c_str();
    return Status::OK();
  });
  if (!status.ok()) {
    return status;
  }
  return session;
}

}  // namespace ferry::postgres
