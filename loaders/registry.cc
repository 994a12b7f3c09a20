#include "loaders/registry.h"

#include <cctype>
#include <cstdlib>

#include "loaders/redact_url.h"
#include "loaders/sqlite/sqlite_loader.h"
#include "loaders/sqlite/sqlite_target.h"

namespace ferry {

namespace {

constexpr const char* kDefaultTarget = "sqlite:ferry.db";

bool HasPrefixNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

// Until loaders/postgresql/ exists, its URLs are recognised here so that they get a clear
// "not supported yet" rather than "unknown target".
bool IsPostgresqlTarget(std::string_view url) {
  return HasPrefixNoCase(url, "postgresql://") || HasPrefixNoCase(url, "postgres://");
}

}  // namespace

const std::vector<TargetKind>& TargetKinds() {
  static const std::vector<TargetKind> kinds = {
      {"sqlite", "an SQLite file: sqlite:PATH, sqlite://PATH, or PATH.db/.sqlite/.sqlite3",
       &IsSqliteTarget, &MakeSqliteLoader},
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
  if (IsSqliteTarget(value)) {
    spec.kind = "sqlite";
    spec.path = SqlitePathOf(value);
    if (spec.path.empty()) {
      return Status::InvalidArgument("target \"" + value + "\" (from " + from +
                                     ") names no file: expected sqlite:PATH");
    }
    return spec;
  }
  if (IsPostgresqlTarget(value)) {
    spec.kind = "postgresql";
    return spec;
  }
  return Status::InvalidArgument(
      "unknown target \"" + RedactUrl(value) + "\" (from " + from +
      "): expected sqlite:PATH, a .db/.sqlite/.sqlite3 file, or postgresql://...");
}

Result<std::unique_ptr<Loader>> MakeLoader(const TargetSpec& spec) {
  for (const TargetKind& kind : TargetKinds()) {
    if (spec.kind == kind.name) {
      return kind.make(spec);
    }
  }
  if (spec.kind == "postgresql") {
    return Status::InvalidArgument("postgresql targets are not supported yet (" +
                                   RedactUrl(spec.url) + ")");
  }
  return Status::InvalidArgument("unknown target kind \"" + spec.kind + "\" for \"" +
                                 RedactUrl(spec.url) + "\"");
}

}  // namespace ferry
