#include "loaders/redact_url.h"

#include <catch2/catch.hpp>

namespace ferry::redact_url_test {
namespace {

TEST_CASE("RedactUrl: the password of a postgresql URL is hidden", "[loaders][redact]") {
  CHECK(RedactUrl("postgresql://alice:s3cret@db.example:5432/app") ==
        "postgresql://alice:****@db.example:5432/app");
  CHECK(RedactUrl("postgres://alice:s3cret@db/app?sslmode=require") ==
        "postgres://alice:****@db/app?sslmode=require");
  CHECK(RedactUrl("POSTGRESQL://alice:s3cret@db") == "POSTGRESQL://alice:****@db");
  CHECK(RedactUrl("postgresql://alice:@db/app") == "postgresql://alice:****@db/app");
}

TEST_CASE("RedactUrl: URLs without a password are left as they are", "[loaders][redact]") {
  CHECK(RedactUrl("postgresql://alice@db:5432/app") == "postgresql://alice@db:5432/app");
  CHECK(RedactUrl("postgresql://db:5432/app") == "postgresql://db:5432/app");
  CHECK(RedactUrl("postgresql:///app?host=/var/run/postgresql") ==
        "postgresql:///app?host=/var/run/postgresql");
  CHECK(RedactUrl("sqlite:ferry.db") == "sqlite:ferry.db");
  CHECK(RedactUrl("sqlite:///srv/a:b@c.db") == "sqlite:///srv/a:b@c.db");
  CHECK(RedactUrl("") == "");
}

TEST_CASE("RedactUrl: a password holding @, / or ? is hidden whole", "[loaders][redact]") {
  std::string redacted = RedactUrl("postgresql://alice:p@ss/w?rd#x@db:5432/app");
  CHECK(redacted == "postgresql://alice:****@db:5432/app");
  for (const char* part : {"p@ss", "w?rd", "#x", "ss/w"}) {
    CHECK(redacted.find(part) == std::string::npos);
  }
}

TEST_CASE("RedactUrl: password query parameters are hidden", "[loaders][redact]") {
  CHECK(RedactUrl("postgresql://db/app?password=s3cret") == "postgresql://db/app?password=****");
  CHECK(RedactUrl("postgresql://db/app?user=a&password=s3cret&sslmode=require") ==
        "postgresql://db/app?user=a&password=****&sslmode=require");
  CHECK(RedactUrl("postgresql://db/app?PassWord=s3cret") == "postgresql://db/app?PassWord=****");
  CHECK(RedactUrl("postgresql://db/app?sslpassword=keypass") ==
        "postgresql://db/app?sslpassword=****");
  // A '&' not followed by another parameter is part of the password.
  CHECK(RedactUrl("postgresql://db/app?password=a&b") == "postgresql://db/app?password=****");
}

TEST_CASE("RedactUrl: conninfo keyword strings have their password hidden", "[loaders][redact]") {
  CHECK(RedactUrl("host=db password=s3cret user=alice") == "host=db password=**** user=alice");
  CHECK(RedactUrl("host=db password = s3cret") == "host=db password = ****");
  CHECK(RedactUrl("password='with space \\' quote' dbname=app") == "password=**** dbname=app");
  CHECK(RedactUrl("host=db password=a&b=c") == "host=db password=****");
}

TEST_CASE("RedactUrl: look-alike keywords are not taken for passwords", "[loaders][redact]") {
  CHECK(RedactUrl("host=db passwordless=1") == "host=db passwordless=1");
  CHECK(RedactUrl("host=db mypassword=1") == "host=db mypassword=1");
  CHECK(RedactUrl("postgresql://db/app?passfile=/x") == "postgresql://db/app?passfile=/x");
}

}  // namespace
}  // namespace ferry::redact_url_test
