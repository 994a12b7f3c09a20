#include "agent/mapping/for_sources.h"

#include <algorithm>
#include <filesystem>

#include "agent/mapping/from_catalog.h"
#include "agent/mapping/loader.h"
#include "extractors/firefox/sqlite_db.h"
#include "extractors/registry.h"
#include "extractors/sqlite/catalog.h"
#include "loaders/postgresql_module.h"
#include "loaders/redact_url.h"

namespace ferry {

namespace {

// The first database source as given, or nullopt when there is none.
std::optional<std::string> FirstDatabase(const std::vector<std::string>& sources) {
  for (const std::string& argument : sources) {
    Result<SourceSpec> spec = ResolveSource(argument);
    if (spec.ok() && IsDatabaseKind(spec->kind)) return argument;
  }
  return std::nullopt;
}

// The database's name in a postgresql:// URL ("app" of ".../app?sslmode=require") when it is
// a plain word, else "".
std::string DatabaseName(const std::string& url) {
  size_t host = url.find("://");
  size_t slash = url.find('/', host == std::string::npos ? 0 : host + 3);
  if (slash == std::string::npos) return "";
  std::string name = url.substr(slash + 1, url.find_first_of("?#", slash) - slash - 1);
  bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  return plain ? name : "";
}

Result<sqlite_source::Catalog> CatalogOf(const SourceSpec& spec) {
  if (spec.kind == "postgresql") {
    FERRY_ASSIGN_OR_RETURN(const PostgresqlModuleApi* postgresql, PostgresqlModule());
    return postgresql->read_catalog(spec.path);
  }
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<firefox::CopiedDatabase> db,
                         firefox::CopiedDatabase::Open(spec.path));
  return sqlite_source::ReadCatalog(*db);
}

}  // namespace

Result<std::string> ProposeMappingForDatabase(const std::string& argument) {
  FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
  FERRY_ASSIGN_OR_RETURN(sqlite_source::Catalog catalog, CatalogOf(spec));
  std::string stem = spec.kind == "postgresql" ? DatabaseName(spec.path)
                                               : std::filesystem::path(spec.path).stem().string();
  return ProposeMappingFromCatalog(catalog, stem.empty() ? "database" : stem);
}

Result<Mapping> LoadMappingFor(const std::string& mapping_file,
                               const std::vector<std::string>& sources) {
  if (!mapping_file.empty()) return LoadMappingFile(mapping_file);
  std::optional<std::string> database = FirstDatabase(sources);
  if (!database) return LoadDefaultMapping();
  FERRY_ASSIGN_OR_RETURN(std::string yaml, ProposeMappingForDatabase(*database));
  FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(*database));
  return LoadMappingText(yaml, "<proposed from " + RedactUrl(spec.path) + ">", "");
}

}  // namespace ferry
