// Secrets of a PostgreSQL connection, and removing them from text that is about to be shown.
//
// libpq's messages may quote the connection string it was given ("invalid URI query
// parameter ..."); a pqxx exception may quote a statement. Every message the PostgreSQL target
// puts into a Status or a log goes through ScrubSecrets first.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::postgres {

// The passwords `url` and the environment give libpq: the URL's "user:PASSWORD@" (as written
// and %-decoded), a "password=" parameter or conninfo keyword, and PGPASSWORD. ~/.pgpass is not
// read: libpq never repeats a password file's contents in its messages.
std::vector<std::string> ConnectionSecrets(std::string_view url);

// `text` with every occurrence of each non-empty secret replaced by "****", then with what
// RedactUrl hides (URL userinfo passwords, password= values) hidden too.
std::string ScrubSecrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace ferry::postgres
