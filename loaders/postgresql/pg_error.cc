#include "loaders/postgresql/pg_error.h"

#include <pqxx/except>

#include "loaders/postgresql/secrets.h"

namespace ferry::postgres {

namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// pqxx messages end with a newline and may carry the statement; keep the first lines only.
std::string Trimmed(std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  return std::string(message);
}

// libpq reports a refused login and a missing database as a failed connection, with no
// SQLSTATE; they are configuration errors, not worth a retry.
bool IsConfigurationFailure(std::string_view message) {
  for (std::string_view marker :
       {"does not exist", "authentication failed", "no password supplied",
        "password authentication", "no pg_hba.conf entry", "invalid connection option",
        "invalid URI", "missing \"=\"", "invalid sslmode", "could not translate host name",
        "SSL is not enabled", "server does not support SSL", "certificate"}) {
    if (message.find(marker) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// libpq's message when a connection could not be made at all (refused, timed out, no route),
// as opposed to one that broke after it was made: "connection to server at "h", port N failed:
// ..." (libpq 14 and newer), "could not connect to server: ..." (older).
bool IsConnectFailure(std::string_view message) {
  return message.find("could not connect to server") != std::string_view::npos ||
         (StartsWith(message, "connection to server") &&
          message.find("failed:") != std::string_view::npos);
}

}  // namespace

std::string WithoutRowData(std::string_view message) {
  constexpr std::string_view kWithheld = "(row contents withheld)";
  std::string out;
  while (!message.empty()) {
    size_t end = message.find('\n');
    std::string_view line = message.substr(0, end);
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
    size_t cut = std::string_view::npos;
    if (StartsWith(line, "CONTEXT:  COPY ")) {
      size_t at = line.find(", line ");
      cut = at == std::string_view::npos ? at : line.find(": ", at);
      if (cut != std::string_view::npos) cut += 2;
    } else if (size_t at = line.find("Failing row contains "); at != std::string_view::npos) {
      cut = at + std::string_view("Failing row contains ").size();
    }
    out.append(line.substr(0, cut));
    if (cut != std::string_view::npos) out.append(kWithheld);
    if (end != std::string_view::npos) out.push_back('\n');
  }
  return out;
}

Status StatusForSqlState(std::string_view sqlstate, std::string_view context,
                         std::string_view message) {
  std::string text = std::string(context) + ": " + std::string(message);
  if (!sqlstate.empty()) {
    text += " (SQLSTATE " + std::string(sqlstate) + ")";
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300" ||
      StartsWith(sqlstate, "08")) {
    return Status::Unavailable(text + "; a retry may succeed");
  }
  if (StartsWith(sqlstate, "23") || StartsWith(sqlstate, "22")) {
    return Status::Rejected(text);
  }
  if (sqlstate == "42501" || StartsWith(sqlstate, "53") || StartsWith(sqlstate, "58")) {
    return Status::IOError(text);
  }
  if (StartsWith(sqlstate, "42") || StartsWith(sqlstate, "28") || StartsWith(sqlstate, "3D")) {
    return Status::InvalidArgument(text);
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {
    return Status::Corruption(text);
  }
  return Status::Internal(text);
}

Status PgError(const std::exception& error, std::string_view context,
               const std::vector<std::string>& secrets) {
  std::string message = ScrubSecrets(WithoutRowData(Trimmed(error.what())), secrets);
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    if (IsConfigurationFailure(message)) {
      return Status::InvalidArgument(std::string(context) + ": " + message);
    }
    if (IsConnectFailure(message)) {
      return Status::Unavailable(std::string(context) + ": cannot connect: " + message);
    }
    return Status::Unavailable(std::string(context) + ": the connection was lost: " + message);
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
    return Status::Unavailable(std::string(context) +
                               ": the connection was lost during COMMIT, whose outcome is "
                               "unknown: " +
                               message);
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    return StatusForSqlState(sql->sqlstate(), context, message);
  }
  if (dynamic_cast<const pqxx::deadlock_detected*>(&error) != nullptr) {
    return StatusForSqlState("40P01", context, message);
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) {
    // serialization_failure (40001), statement_completion_unknown (40003) and the rest of
    // class 40: the server rolled the transaction back.
    return StatusForSqlState("40001", context, message);
  }
  return Status::Internal(std::string(context) + ": " + message);
}

}  // namespace ferry::postgres
