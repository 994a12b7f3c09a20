// Secrets of a PostgreSQL connection are found and scrubbed from messages (pure, no server).
#include "loaders/postgresql/secrets.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "loaders/postgresql/pg_error.h"

namespace ferry::postgres {

TEST_CASE("PgSecrets: the URL's password, as written and decoded, is scrubbed",
          "[loaders][postgres]") {
  unsetenv("PGPASSWORD");
  std::vector<std::string> secrets =
      ConnectionSecrets("postgresql://ferry:s3cr%40t-pw@db.example:5432/app?sslmode=require");
  std::string message = ScrubSecrets(
      "could not connect with s3cr@t-pw (postgresql://ferry:s3cr%40t-pw@db/app)", secrets);
  CHECK(message.find("s3cr") == std::string::npos);
  CHECK(message.find("****") != std::string::npos);
}

TEST_CASE("PgSecrets: password= parameters and PGPASSWORD are scrubbed", "[loaders][postgres]") {
  setenv("PGPASSWORD", "env-secret-77", 1);
  std::vector<std::string> secrets =
      ConnectionSecrets("postgresql:///app?host=/tmp&password=param-secret-5&user=u");
  unsetenv("PGPASSWORD");
  std::string message = ScrubSecrets(
      "invalid URI query parameter: param-secret-5; password env-secret-77 refused", secrets);
  CHECK(message.find("param-secret-5") == std::string::npos);
  CHECK(message.find("env-secret-77") == std::string::npos);
}

TEST_CASE("PgSecrets: a URL without a password hides nothing", "[loaders][postgres]") {
  unsetenv("PGPASSWORD");
  CHECK(ConnectionSecrets("postgresql://db/app").empty());
  CHECK(ScrubSecrets("plain message", {}) == "plain message");
}

TEST_CASE("PgError: SQLSTATEs are classified transient or not", "[loaders][postgres]") {
  CHECK(StatusForSqlState("40001", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("40P01", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("57P01", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("08006", "w", "m").IsUnavailable());
  CHECK(StatusForSqlState("23505", "w", "m").IsRejected());
  CHECK(StatusForSqlState("22P02", "w", "m").IsRejected());
  CHECK(StatusForSqlState("42P01", "w", "m").IsInvalidArgument());
  CHECK(StatusForSqlState("42501", "w", "m").IsIOError());
  CHECK(StatusForSqlState("XX001", "w", "m").IsCorruption());
  Status status = StatusForSqlState("23505", "table \"tasks\"", "duplicate key");
  CHECK(status.message().find("table \"tasks\"") != std::string::npos);
  CHECK(status.message().find("23505") != std::string::npos);
}

}  // namespace ferry::postgres
