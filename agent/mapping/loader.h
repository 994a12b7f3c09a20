// Mapping loader: reads a mapping file (docs/mapping.md) into a ferry::Mapping, checking all
// of it before any work starts (DuckDB's "bind"): YAML syntax, the structure against
// schemas/mapping.schema.json, then the rules that span keys (types, names, references and
// their cycles, primary keys), and compiles each entity's JSON Schema. Entities come out
// parents first. Every error is InvalidArgument and names the place: "file:line:col: path:".
//
// Thread safety: the functions are reentrant; the Mapping they return is immutable.
#pragma once

#include <string>

#include "base/result.h"
#include "transformers/mapping.h"

namespace ferry {

// Loads the mapping file at `path`; schema files are resolved relative to its folder.
Result<Mapping> LoadMappingFile(const std::string& path);

// Loads the bundled default (schemas/taskapp/), compiled into the binary: works from any
// directory. Its schema files are the embedded copies too. Mapping::file is "<embedded>".
Result<Mapping> LoadDefaultMapping();

// Loads a mapping from text. `name` labels errors and becomes Mapping::file; schema files are
// resolved relative to `base_dir` ("" = the current directory).
Result<Mapping> LoadMappingText(const std::string& yaml, const std::string& name,
                                const std::string& base_dir);

}  // namespace ferry
