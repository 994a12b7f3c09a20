// Session's connection defaults (loaders/postgresql/connection.h): TCP keepalives and a user
// timeout unless the user's URL sets them, and the same bounds asked of the server.
#include "loaders/postgresql/connection.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <pqxx/pqxx>

namespace ferry::connection_test {

TEST_CASE("WithKeepaliveDefaults: adds keepalives and a user timeout to a URL",
          "[loaders][postgres]") {
  CHECK(postgres::WithKeepaliveDefaults("postgresql://u@h/db") ==
        "postgresql://u@h/db?keepalives=1&keepalives_idle=30&keepalives_interval=10&"
        "keepalives_count=3&tcp_user_timeout=60000&connect_timeout=10");
  CHECK(postgres::WithKeepaliveDefaults("postgres://h/db?sslmode=require") ==
        "postgres://h/db?sslmode=require&keepalives=1&keepalives_idle=30&keepalives_interval=10&"
        "keepalives_count=3&tcp_user_timeout=60000&connect_timeout=10");
  CHECK(postgres::WithKeepaliveDefaults("host=h dbname=db") ==
        "host=h dbname=db keepalives=1 keepalives_idle=30 keepalives_interval=10 "
        "keepalives_count=3 tcp_user_timeout=60000 connect_timeout=10");
}

TEST_CASE("WithKeepaliveDefaults: the user's own values win", "[loaders][postgres]") {
  CHECK(postgres::WithKeepaliveDefaults(
            "postgresql://h/db?keepalives_idle=5&tcp_user_timeout=0&keepalives=0&"
            "keepalives_interval=1&keepalives_count=9&connect_timeout=3") ==
        "postgresql://h/db?keepalives_idle=5&tcp_user_timeout=0&keepalives=0&"
        "keepalives_interval=1&keepalives_count=9&connect_timeout=3");
  CHECK(postgres::WithKeepaliveDefaults("host=h keepalives_idle=5") ==
        "host=h keepalives_idle=5 keepalives=1 keepalives_interval=10 keepalives_count=3 "
        "tcp_user_timeout=60000 connect_timeout=10");
  // A name that only ends like one is not it.
  CHECK(postgres::WithKeepaliveDefaults("postgresql://h/db?x_keepalives_idle=5")
            .find("&keepalives_idle=30") != std::string::npos);
}

TEST_CASE("WithKeepaliveDefaults: a connection attempt is bounded unless the user bounds it",
          "[loaders][postgres]") {
  const char* saved = std::getenv("PGCONNECT_TIMEOUT");
  std::string restore = saved != nullptr ? saved : "";
  unsetenv("PGCONNECT_TIMEOUT");
  CHECK(postgres::WithKeepaliveDefaults("postgresql://h/db").find("connect_timeout=10") !=
        std::string::npos);
  CHECK(postgres::WithKeepaliveDefaults("host=h connect_timeout=0") ==
        "host=h connect_timeout=0 keepalives=1 keepalives_idle=30 keepalives_interval=10 "
        "keepalives_count=3 tcp_user_timeout=60000");
  // libpq's own variable is the user's too: a URL's value would override it.
  setenv("PGCONNECT_TIMEOUT", "25", 1);
  CHECK(postgres::WithKeepaliveDefaults("postgresql://h/db").find("connect_timeout") ==
        std::string::npos);
  if (saved != nullptr) {
    setenv("PGCONNECT_TIMEOUT", restore.c_str(), 1);
  } else {
    unsetenv("PGCONNECT_TIMEOUT");
  }
}

TEST_CASE("Session: asks the server to end a dead client's backend within about a minute",
          "[loaders][postgres]") {
  // Over TCP (the server's settings do nothing on a Unix socket, where they read 0).
  const char* tcp_url = std::getenv("FERRY_TEST_PASSWORD_URL");
  if (tcp_url == nullptr || *tcp_url == '\0') {
    WARN("FERRY_TEST_PASSWORD_URL is not set: no TCP server to check the keepalives on");
    return;
  }
  Result<std::unique_ptr<postgres::Session>> session = postgres::Session::Open(tcp_url);
  INFO(session.status().ToString());
  REQUIRE(session.ok());
  pqxx::nontransaction txn((*session)->connection());
  CHECK(std::string(txn.exec1("SHOW tcp_keepalives_idle")[0].c_str()) == "30");
  CHECK(std::string(txn.exec1("SHOW tcp_keepalives_count")[0].c_str()) == "3");
  CHECK(txn.exec1("SELECT setting FROM pg_settings WHERE name = 'tcp_user_timeout'")[0].as<int>() ==
        60000);
  // What the user asks for is kept.
  std::string url = std::string(tcp_url) +
                    (std::string(tcp_url).find('?') == std::string::npos ? "?" : "&") +
                    "options=-ctcp_keepalives_idle%3D77";
  Result<std::unique_ptr<postgres::Session>> own = postgres::Session::Open(url);
  REQUIRE(own.ok());
  pqxx::nontransaction own_txn((*own)->connection());
  CHECK(std::string(own_txn.exec1("SHOW tcp_keepalives_idle")[0].c_str()) == "77");
}

}  // namespace ferry::connection_test
