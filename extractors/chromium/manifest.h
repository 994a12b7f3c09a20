// What a LevelDB MANIFEST says about the live files: the tables of the current version and
// the log number (chromium_format.h, "MANIFEST"). A MANIFEST is a log of version edits; they
// are applied in order.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"
#include "extractors/extractor.h"

namespace ferry::chromium {

struct TableInfo {
  uint32_t level = 0;
  uint64_t size = 0;  // bytes, as written
};

struct ManifestState {
  std::string comparator;                // empty when no edit named one
  uint64_t log_number = 0;               // logs numbered below are obsolete
  uint64_t prev_log_number = 0;          // 0 or one more live log below log_number
  std::map<uint64_t, TableInfo> tables;  // live tables by file number
  int64_t edits = 0;                     // edits applied
};

// Applies the version edit `record` to *state. Fails Corruption (no place in the message) on
// a malformed edit; *state may then hold part of it.
Status ApplyVersionEdit(std::string_view record, ManifestState* state);

// Reads the MANIFEST at `path` (a private copy; `display_path` names it). Damaged records are
// reported and the edits before them kept. Fails Corruption naming the file when no edit at
// all could be read.
Result<ManifestState> ReadManifest(const std::string& path, const std::string& display_path,
                                   const CorruptionReporter& reporter);

}  // namespace ferry::chromium
