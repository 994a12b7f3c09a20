// Turning libpqxx exceptions into classified Statuses, at the border of the PostgreSQL target.
//
//   Unavailable (transient: a retry may succeed): a lost connection, a commit whose outcome is
//     unknown, serialization failure 40001, deadlock 40P01, lock not available 55P03, the
//     server shutting down or not yet up 57P01/57P02/57P03, too many connections 53300, and
//     every connection exception (class 08);
//   Rejected: integrity (class 23) and data (class 22) errors, i.e. rows the target refuses;
//   InvalidArgument: a statement the target does not accept (class 42: a missing or
//     different table or column), a failed login or a missing database (class 28, 3D);
//   IOError: permission denied (42501), the server out of disk or memory (class 53, 58);
//   Corruption: the server reporting corrupt data (XX001, XX002); Internal: anything else.
// Every message is scrubbed of the connection's secrets (secrets.h) and of the row contents
// the server quotes (WithoutRowData).
//
// Thread safety: pure functions.
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ferry::postgres {

// The Status for an SQLSTATE, `message` prefixed by `context`.
Status StatusForSqlState(std::string_view sqlstate, std::string_view context,
                         std::string_view message);

// `message` with the row contents a server error quotes withheld: the text after
// "CONTEXT:  COPY t, line N[, column c]:" and after "Failing row contains". Keys in
// "Key (…)=(…)" stay: they are ids, and name the row to look at.
std::string WithoutRowData(std::string_view message);

// The Status for an exception thrown by libpqxx (or anything else thrown at that border).
Status PgError(const std::exception& error, std::string_view context,
               const std::vector<std::string>& secrets);

// Runs `body` (returning Status), turning any exception into PgError(context).
template <typename Body>
Status Guarded(std::string_view context, const std::vector<std::string>& secrets, Body&& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    return PgError(error, context, secrets);
  } catch (...) {
    return Status::Internal(std::string(context) + ": an unknown exception");
  }
}

}  // namespace ferry::postgres
