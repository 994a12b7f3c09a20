#include "loaders/registry.h"

#include <cctype>
#include <cstdlib>

#include "loaders/postgresql/postgres_target.h"
#include "loaders/postgresql_module.h"
#include "loaders/redact_url.h"
#include "loaders/sqlite/sqlite_loader.h"
#include "loaders/sqlite/sqlite_target.h"

namespace ferry {

namespace {

constexpr const char* kDefaultTarget = "sqlite:ferry.db";

Result<std::unique_ptr<Loader>> MakeSqlite(const TargetSpec& spec) {
  return MakeSqliteLoader(spec);
}

// Through the module, loaded here on first use: nothing else of a run needs libpq.
Result<std::unique_ptr<Loader>> MakePostgresql(const TargetSpec& spec) {
  FERRY_ASSIGN_OR_RETURN(const PostgresqlModuleApi* postgresql, PostgresqlModule());
  return postgresql->make_loader(spec);
}

}  // namespace

const std::vector<TargetKind>& TargetKinds() {
  static const std::vector<TargetKind> kinds = {
      {"sqlite", "an SQLite file: sqlite:PATH, sqlite://PATH, or PATH.db/.sqlite/.sqlite3",
       &IsSqliteTarget, &MakeSqlite},
      {"postgresql",
       "a PostgreSQL database: postgresql://[user@]host[:port]/db[?sslmode=...] or libpq "
       "keyword/value \"host=... dbname=...\" (libpq environment variables and ~/.pgpass "
       "apply)",
       &IsPostgresqlTarget, &MakePostgresql},
  };
  return kinds;
}

Result<TargetSpec> ResolveTarget(const std::string& flag_value) {
  std::string value = flag_value;
  std::string from = "--target";
  if (value.empty()) {
    const char* env = std::getenv("DATABASE_URL");
    if (env != nullptr && *env != '\0') {
      value = env;
      from = "DATABASE_URL";
    }
  }
  if (value.empty()) {
    value = kDefaultTarget;
    from = "the default target";
  }
  TargetSpec spec;
  spec.url = value;
  // Before SQLite's bare paths: "host=db dbname=app.db" is a connection string, as for psql.
  if (IsPostgresqlTarget(value)) {
    spec.kind = "postgresql";
    return spec;
  }
  if (IsSqliteTarget(value)) {
    spec.kind = "sqlite";
    spec.path = SqlitePathOf(value);
    if (spec.path.empty()) {
      return Status::InvalidArgument("target \"" + value + "\" (from " + from +
                                     ") names no file: expected sqlite:PATH");
    }
    return spec;
  }
  return Status::InvalidArgument(
      "unknown target \"" + RedactUrl(value) + "\" (from " + from +
      "): expected sqlite:PATH, a .db/.sqlite/.sqlite3 file, postgresql://... or a libpq "
      "keyword/value string (host=... dbname=...)");
}

Result<std::unique_ptr<Loader>> MakeLoader(const TargetSpec& spec) {
  for (const TargetKind& kind : TargetKinds()) {
    if (spec.kind == kind.name) {
      return kind.make(spec);
    }
  }
  return Status::InvalidArgument("unknown target kind \"" + spec.kind + "\" for \"" +
                                 RedactUrl(spec.url) + "\"");
}

int DefaultBatchSize(const std::string& kind) { return kind == "postgresql" ? 5000 : 1000; }

}  // namespace ferry
