#include "loaders/postgresql/connection.h"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>

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

}  // namespace

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::Open(const std::string& url) {
  std::unique_ptr<Session> session(new Session());
  session->secrets_ = ConnectionSecrets(url);
  session->display_name_ = ScrubSecrets(RedactUrl(url), session->secrets_);
  std::string context = "PostgreSQL target " + session->display_name_;
  Status status = Guarded(context, session->secrets_, [&]() -> Status {
    session->connection_ = std::make_unique<pqxx::connection>(url);
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
