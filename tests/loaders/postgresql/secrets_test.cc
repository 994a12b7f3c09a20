// Secrets of a PostgreSQL connection are found and scrubbed from messages (pure, no server).
#include "loaders/postgresql/secrets.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace ferry::postgres::secrets_test {

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

TEST_CASE("PgSecrets: keyword/value passwords, spaced or quoted, are scrubbed whole",
          "[loaders][postgres]") {
  unsetenv("PGPASSWORD");
  const std::pair<const char*, const char*> cases[] = {
      {"host=db password = spaced-secret-1 dbname=app", "spaced-secret-1"},
      {"host=db password='quoted secret-2' dbname=app", "quoted secret-2"},
      {"host=db password='it\\'s-secret-3'", "it's-secret-3"},
  };
  for (const auto& [conninfo, secret] : cases) {
    INFO(conninfo);
    std::string message =
        ScrubSecrets(std::string("refused: ") + secret, ConnectionSecrets(conninfo));
    CHECK(message == "refused: ****");
  }
}

TEST_CASE("PgSecrets: a URL without a password hides nothing", "[loaders][postgres]") {
  unsetenv("PGPASSWORD");
  CHECK(ConnectionSecrets("postgresql://db/app").empty());
  CHECK(ScrubSecrets("plain message", {}) == "plain message");
}

}  // namespace ferry::postgres::secrets_test
