// The `dump` source kind: localStorage dumps, one JSON object per file, {key: string} or
// {origin: {key: string}} (see dump_file.h for the rules), given as one file or as a folder
// of per-user dumps (every *.json in it, in name order; each file is a unit and its stem the
// user hint: "user-17.json" -> "user-17"). Only one file is held in memory at a time.
#pragma once

#include <memory>
#include <string>

#include "extractors/extractor.h"

namespace ferry {

// An extractor over the dump at spec.path; errors surface from Open().
std::unique_ptr<Extractor> MakeDumpExtractor(const SourceSpec& spec);

// True when `path` is a .json file whose first byte other than whitespace is '{', or a
// folder whose first *.json file (in name order) with any content starts so.
bool LooksLikeDump(const std::string& path);

}  // namespace ferry
