// Telling file-based JSON sources apart by their names and first bytes (for detect()).
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>

namespace ferry {

// True when `path` is a .json file whose first byte other than whitespace is `first`, or a
// folder whose first *.json file (in name order) holding anything but whitespace starts so.
bool JsonSourceStartsWith(const std::string& path, char first);

// True when `path` is a .ndjson or .jsonl file, or a folder that holds such files and no
// *.json file.
bool LooksLikeNdjsonSource(const std::string& path);

}  // namespace ferry
