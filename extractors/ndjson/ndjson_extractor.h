// The `ndjson` source kind: one JSON record per line (.ndjson, .jsonl), given as one file or a
// folder of such files (name order, one unit per file). Each record is an entry of shape
// kRecord whose key is the file's stem and whose place is its line. Files are read line by
// line with bounded memory; blank lines are skipped, "\r\n" endings taken; a line that is
// not valid JSON (or nests deeper than 1024 levels) is reported and skipped; a line longer
// than 64 MiB ends the file with Corruption.
#pragma once

#include <memory>
#include <string>

#include "extractors/extractor.h"

namespace ferry {

// An extractor over the ndjson file(s) at spec.path; errors surface from Open().
std::unique_ptr<Extractor> MakeNdjsonExtractor(const SourceSpec& spec);

// True when `path` is a .ndjson or .jsonl file, or a folder of such files holding no *.json.
bool LooksLikeNdjson(const std::string& path);

}  // namespace ferry
