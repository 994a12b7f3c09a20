// The PostgreSQL module's entry point (loaders/postgresql_module.h): built into
// ferry-postgresql.so, or into the binary with -DFERRY_PG_MODULE=OFF and into ferry_tests.

#include <cstring>

#include "agent/inspect/db_inspect_pg.h"
#include "agent/rekey/rekey_sql_pg.h"
#include "extractors/postgresql/pg_extractor.h"
#include "extractors/postgresql/pg_snapshot.h"
#include "loaders/postgresql/postgres_loader.h"
#include "loaders/postgresql_module.h"

namespace ferry {

namespace {

Result<sqlite_source::Catalog> ReadPostgresqlCatalog(const std::string& url) {
  FERRY_ASSIGN_OR_RETURN(auto snapshot, postgresql_source::SourceSnapshot::Open(url));
  return snapshot->catalog();
}

constexpr PostgresqlModuleApi kApi = {
    &MakePostgresLoader, &MakePostgresExtractor, &ReadPostgresqlCatalog,
    &InspectPostgres,    &OpenPostgresRekeySql,
};

}  // namespace

}  // namespace ferry

extern "C" __attribute__((visibility("default"))) const ferry::PostgresqlModuleApi*
ferry_postgresql_module(const char* abi) {
  if (abi == nullptr || std::strcmp(abi, ferry::kPostgresqlModuleAbi) != 0) return nullptr;
  return &ferry::kApi;
}
