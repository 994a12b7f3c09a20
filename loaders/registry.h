// The target kinds ferry knows. Adding one is a folder under loaders/ and one line in
// registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

struct TargetKind {
  const char* name;         // "sqlite"
  const char* description;  // one line, for --help
  // True when the URL is of this kind ("sqlite:...", "postgresql://...").
  bool (*claims)(std::string_view url);
  // Fails when the kind's code cannot be had (the PostgreSQL module: loaders/postgresql_module.h).
  Result<std::unique_ptr<Loader>> (*make)(const TargetSpec& spec);
};

const std::vector<TargetKind>& TargetKinds();

// The target from --target, else DATABASE_URL, else "sqlite:ferry.db".
Result<TargetSpec> ResolveTarget(const std::string& flag_value);

Result<std::unique_ptr<Loader>> MakeLoader(const TargetSpec& spec);

// Rows per transaction when --batch-size is not given, by target kind (measured:
// docs/benchmarks.md). PostgreSQL pays a commit and a few round trips per batch, SQLite little.
int DefaultBatchSize(const std::string& kind);

}  // namespace ferry
