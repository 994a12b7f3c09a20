// The `json` source kind: files that each hold one JSON array of records (exports made by
// other tools or servers), given as one file or a folder of *.json files (name order, one
// unit per file). Each element is an entry of shape kRecord whose key is the file's stem,
// whose value is the element's JSON text as written, and whose place is its index and byte
// offset. An element that is not valid JSON on its own (or nests deeper than 1024 levels) is
// reported and skipped; a file that is not an array, or whose array is broken, is Corruption.
#pragma once

#include <memory>
#include <string>

#include "extractors/extractor.h"

namespace ferry {

// An extractor over the JSON array file(s) at spec.path; errors surface from Open().
std::unique_ptr<Extractor> MakeJsonExtractor(const SourceSpec& spec);

// True when `path` is a .json file whose first byte other than whitespace is '[', or a
// folder whose first *.json file (in name order) with any content starts so.
bool LooksLikeJsonArray(const std::string& path);

}  // namespace ferry
