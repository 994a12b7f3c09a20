#include "agent/mapping/for_sources.h"

#include <filesystem>

#include "agent/mapping/from_catalog.h"
#include "agent/mapping/loader.h"
#include "extractors/firefox/sqlite_db.h"
#include "extractors/registry.h"

namespace ferry {

namespace {

// The spec of the first database source, or nullopt when there is none.
std::optional<SourceSpec> FirstDatabase(const std::vector<std::string>& sources) {
  for (const std::string& argument : sources) {
    Result<SourceSpec> spec = ResolveSource(argument);
    if (spec.ok() && spec->kind == "sqlite") return *spec;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> ProposeMappingForDatabase(const std::string& argument) {
  FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<firefox::CopiedDatabase> db,
                         firefox::CopiedDatabase::Open(spec.path));
  FERRY_ASSIGN_OR_RETURN(sqlite_source::Catalog catalog, sqlite_source::ReadCatalog(*db));
  std::string stem = std::filesystem::path(spec.path).stem().string();
  return ProposeMappingFromCatalog(catalog, stem.empty() ? "database" : stem);
}

Result<Mapping> LoadMappingFor(const std::string& mapping_file,
                               const std::vector<std::string>& sources) {
  if (!mapping_file.empty()) return LoadMappingFile(mapping_file);
  std::optional<SourceSpec> database = FirstDatabase(sources);
  if (!database) return LoadDefaultMapping();
  FERRY_ASSIGN_OR_RETURN(std::string yaml, ProposeMappingForDatabase("sqlite:" + database->path));
  return LoadMappingText(yaml, "<proposed from " + database->path + ">", "");
}

}  // namespace ferry
