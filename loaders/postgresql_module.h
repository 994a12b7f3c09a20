// The PostgreSQL module: everything of ferry that speaks to PostgreSQL through libpqxx (the
// target, the source, and the PostgreSQL side of inspect and rekey), built as its own shared
// object, ferry-postgresql.so, beside the ferry binary, and loaded only when a postgresql://
// source or target is used (docs/design.md, "The PostgreSQL module"). An export or a run into
// SQLite then never maps libpq and the twenty-odd libraries that come with it: about 4 ms of
// every start (docs/benchmarks.md, "Issue 19, ninth session").
//
// The boundary is one C function, ferry_postgresql_module(), that returns the factories below.
// The module holds no copy of ferry's own code: its references to ferry_lib (logging, fault
// points, stop signals, the Loader base) bind to the binary's one copy, which exports them
// (agent/CMakeLists.txt), so there is one copy of every global. Module and binary come from one
// build; the ABI key below refuses a module of another version.
//
// With -DFERRY_PG_MODULE=OFF (and in ferry_tests) the same code is linked into the binary, and
// the function is found there instead of loaded.
//
// Thread safety: PostgresqlModule() is safe to call from any thread (loaded once).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace ferry {

class BookkeepingSql;
class Extractor;
class Loader;
class RekeySql;
struct DbInspectReport;
struct SourceSpec;
struct TargetSpec;
namespace sqlite_source {
struct Catalog;
}

// What the module gives the binary. Each factory fails as its in-binary counterpart would.
struct PostgresqlModuleApi {
  std::unique_ptr<Loader> (*make_loader)(const TargetSpec& spec);
  std::unique_ptr<Extractor> (*make_extractor)(const SourceSpec& spec);
  // The catalog of the database at `url`, read in its read-only snapshot (propose).
  Result<sqlite_source::Catalog> (*read_catalog)(const std::string& url);
  // InspectDatabase for a postgresql:// source (agent/inspect/db_inspect_pg.h).
  Result<DbInspectReport> (*inspect)(const SourceSpec& spec);
  // OpenRekeySql for a PostgreSQL target (agent/rekey/rekey_sql.h).
  Result<std::unique_ptr<RekeySql>> (*open_rekey_sql)(const TargetSpec& target,
                                                      const BookkeepingSql& bookkeeping,
                                                      bool read_only);
};

// What binary and module must agree on: the version, and the number of this boundary's shape
// (raised with any change to PostgresqlModuleApi).
constexpr const char* kPostgresqlModuleAbi = "ferry " FERRY_VERSION ", module API 1";

// The file name of the module, looked for only in the folder of the running binary
// (/proc/self/exe), never on a search path.
constexpr const char* kPostgresqlModuleFile = "ferry-postgresql.so";

// The module's factories: linked in, or loaded on the first call. Fails with InvalidArgument
// (exit 2) naming the file and dlerror() when the module is missing or cannot be loaded, or is
// of another build.
Result<const PostgresqlModuleApi*> PostgresqlModule();

// Where the binary looks for the module: "<folder of the running binary>/ferry-postgresql.so".
std::string PostgresqlModulePath();

}  // namespace ferry

// The module's one entry point. `abi` is the binary's kPostgresqlModuleAbi; a module built
// with another one returns nullptr.
extern "C" const ferry::PostgresqlModuleApi* ferry_postgresql_module(const char* abi);
