// The source kinds ferry knows: a name, a one-line description, a detector and a factory.
//
// Adding a source kind is one folder under extractors/ and one line in registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "extractors/extractor.h"

namespace ferry {

struct SourceKind {
  const char* name;         // prefix on the command line ("dump:PATH")
  const char* description;  // one line, for --help
  // True when `path` looks like this kind (checked in registry order, first match wins).
  bool (*detect)(const std::string& path);
  // Fails when the kind's code cannot be had (the PostgreSQL module: loaders/postgresql_module.h).
  Result<std::unique_ptr<Extractor>> (*make)(const SourceSpec& spec);
};

// Every registered kind, in detection order.
const std::vector<SourceKind>& SourceKinds();

// Parses "kind:PATH" or detects the kind of a bare PATH. Fails naming the path when no kind
// claims it or the prefix is unknown.
Result<SourceSpec> ResolveSource(std::string_view argument);

// True for the kinds whose source is an application's database (sqlite, postgresql): each
// table an entity, inspected by its catalog.
bool IsDatabaseKind(std::string_view kind);

// Makes the extractor for a resolved source. REQUIRES: spec.kind is registered.
Result<std::unique_ptr<Extractor>> MakeExtractor(const SourceSpec& spec);

}  // namespace ferry
