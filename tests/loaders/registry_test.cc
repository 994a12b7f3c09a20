#include "loaders/registry.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <optional>

namespace ferry::registry_test {
namespace {

// Sets (or unsets, with nullopt) DATABASE_URL for one test and puts it back afterwards.
class ScopedDatabaseUrl {
 public:
  explicit ScopedDatabaseUrl(const std::optional<std::string>& value) {
    if (const char* old = getenv("DATABASE_URL")) {
      old_ = old;
    }
    if (value.has_value()) {
      setenv("DATABASE_URL", value->c_str(), 1);
    } else {
      unsetenv("DATABASE_URL");
    }
  }
  ~ScopedDatabaseUrl() {
    if (old_.has_value()) {
      setenv("DATABASE_URL", old_->c_str(), 1);
    } else {
      unsetenv("DATABASE_URL");
    }
  }

 private:
  std::optional<std::string> old_;
};

TargetSpec Resolved(const std::string& flag) {
  Result<TargetSpec> spec = ResolveTarget(flag);
  INFO(spec.status().ToString());
  REQUIRE(spec.ok());
  return *spec;
}

TEST_CASE("ResolveTarget: without --target or DATABASE_URL the target is sqlite:ferry.db",
          "[loaders][registry]") {
  ScopedDatabaseUrl env(std::nullopt);
  TargetSpec spec = Resolved("");
  CHECK(spec.kind == "sqlite");
  CHECK(spec.url == "sqlite:ferry.db");
  CHECK(spec.path == "ferry.db");
}

TEST_CASE("ResolveTarget: DATABASE_URL is used when --target is not given, and loses to it",
          "[loaders][registry]") {
  ScopedDatabaseUrl env(std::string("sqlite:/tmp/from-env.db"));
  CHECK(Resolved("").path == "/tmp/from-env.db");
  CHECK(Resolved("sqlite:flag.db").path == "flag.db");
}

TEST_CASE("ResolveTarget: an empty DATABASE_URL counts as unset", "[loaders][registry]") {
  ScopedDatabaseUrl env(std::string(""));
  CHECK(Resolved("").path == "ferry.db");
}

TEST_CASE("ResolveTarget: the spellings of an SQLite target", "[loaders][registry]") {
  ScopedDatabaseUrl env(std::nullopt);
  CHECK(Resolved("sqlite:data/app.db").path == "data/app.db");
  CHECK(Resolved("sqlite://data/app.db").path == "data/app.db");
  CHECK(Resolved("sqlite:///srv/app.db").path == "/srv/app.db");
  CHECK(Resolved("SQLite:app.bin").path == "app.bin");
  for (const char* bare : {"app.db", "/srv/app.sqlite", "x/app.sqlite3", "APP.DB"}) {
    TargetSpec spec = Resolved(bare);
    CHECK(spec.kind == "sqlite");
    CHECK(spec.path == bare);
    CHECK(spec.url == bare);
  }
}

TEST_CASE("ResolveTarget: postgresql URLs are of kind postgresql", "[loaders][registry]") {
  ScopedDatabaseUrl env(std::nullopt);
  for (const char* url : {"postgresql://u:pw@db/app", "postgres://db/app", "POSTGRES://db"}) {
    TargetSpec spec = Resolved(url);
    CHECK(spec.kind == "postgresql");
    CHECK(spec.url == url);
    CHECK(spec.path.empty());
  }
}

TEST_CASE("ResolveTarget: sqlite: without a path is refused", "[loaders][registry]") {
  ScopedDatabaseUrl env(std::nullopt);
  for (const char* target : {"sqlite:", "sqlite://"}) {
    Result<TargetSpec> spec = ResolveTarget(target);
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.status().IsInvalidArgument());
  }
}

TEST_CASE("ResolveTarget: an unknown target is refused naming it, its password hidden",
          "[loaders][registry]") {
  ScopedDatabaseUrl env(std::nullopt);
  Result<TargetSpec> spec = ResolveTarget("mysql://root:hunter2@db/app");
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.status().IsInvalidArgument());
  CHECK(spec.status().message().find("mysql://root:****@db/app") != std::string::npos);
  CHECK(spec.status().message().find("hunter2") == std::string::npos);

  spec = ResolveTarget("data.txt");
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.status().message().find("\"data.txt\"") != std::string::npos);
  CHECK(spec.status().message().find("--target") != std::string::npos);

  // A .db name behind another scheme is not a file path.
  CHECK_FALSE(ResolveTarget("mysql://db/app.db").ok());
}

TEST_CASE("ResolveTarget: libpq keyword/value strings are of kind postgresql, as psql takes them",
          "[loaders][registry]") {
  ScopedDatabaseUrl env(std::nullopt);
  for (const char* conninfo :
       {"host=/var/run/postgresql dbname=app", "dbname=app", "  host = db port=5433",
        "service=ferry", "host=db dbname=app.db", "user=u password='x y' dbname=a"}) {
    TargetSpec spec = Resolved(conninfo);
    CHECK(spec.kind == "postgresql");
    CHECK(spec.url == conninfo);
  }
  // Not keyword/value: a name without '=', or '=' not after a keyword.
  CHECK(Resolved("app=x.db").kind == "postgresql");  // as psql: a string with key= is conninfo
  CHECK_FALSE(ResolveTarget("app").ok());
  CHECK_FALSE(ResolveTarget("=app").ok());
  CHECK_FALSE(ResolveTarget("my app=1").ok());
}

TEST_CASE("ResolveTarget: a keyword/value DATABASE_URL is used, never shown with its password",
          "[loaders][registry]") {
  ScopedDatabaseUrl env(std::string("host=db user=a password=hunter2"));
  TargetSpec spec = Resolved("");
  CHECK(spec.kind == "postgresql");
  Result<std::unique_ptr<Loader>> loader = MakeLoader(spec);
  CHECK(loader.ok());
}

TEST_CASE("ResolveTarget: a bad DATABASE_URL is named as such, never with its password",
          "[loaders][registry]") {
  ScopedDatabaseUrl env(std::string("mysql://a:hunter2@db/app"));
  Result<TargetSpec> spec = ResolveTarget("");
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.status().IsInvalidArgument());
  CHECK(spec.status().message().find("DATABASE_URL") != std::string::npos);
  CHECK(spec.status().message().find("hunter2") == std::string::npos);
}

TEST_CASE("MakeLoader: sqlite and postgresql make loaders; an unknown kind is refused",
          "[loaders][registry]") {
  Result<std::unique_ptr<Loader>> sqlite = MakeLoader({"sqlite", "sqlite:x.db", "x.db"});
  REQUIRE(sqlite.ok());
  CHECK(*sqlite != nullptr);

  // Connecting waits for Check(): making the loader never touches the network.
  Result<std::unique_ptr<Loader>> pg =
      MakeLoader({"postgresql", "postgresql://u:hunter2@db/a", ""});
  REQUIRE(pg.ok());
  CHECK(*pg != nullptr);

  Result<std::unique_ptr<Loader>> other = MakeLoader({"oracle", "oracle://db", ""});
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().IsInvalidArgument());
}

TEST_CASE("TargetKinds: sqlite is registered and claims only its own URLs", "[loaders][registry]") {
  const TargetKind* sqlite = nullptr;
  for (const TargetKind& kind : TargetKinds()) {
    if (std::string(kind.name) == "sqlite") {
      sqlite = &kind;
    }
  }
  REQUIRE(sqlite != nullptr);
  CHECK(std::string(sqlite->description).size() > 0);
  CHECK(sqlite->claims("sqlite:a.db"));
  CHECK(sqlite->claims("a.sqlite3"));
  CHECK_FALSE(sqlite->claims("postgresql://db/a.db"));
  CHECK_FALSE(sqlite->claims("a.json"));
  CHECK_FALSE(sqlite->claims(".db"));
}

}  // namespace
}  // namespace ferry::registry_test
