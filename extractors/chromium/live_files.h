// Which files of a LevelDB folder hold its live data: CURRENT names the MANIFEST, the
// MANIFEST lists the live tables and the oldest live log (chromium_format.h).
//
// A missing, empty or garbled CURRENT, or one naming a missing MANIFEST, is reported and the
// newest readable MANIFEST-* of the folder is used instead. With no readable MANIFEST at all
// the live tables cannot be told from obsolete ones, and the store is not read.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "extractors/extractor.h"

namespace ferry::chromium {

struct LiveTable {
  std::string name;            // "000005.ldb"
  uint64_t size = 0;           // bytes in the folder
  uint64_t manifest_size = 0;  // bytes when written, as the MANIFEST says
};

struct LiveFiles {
  std::string manifest;           // the MANIFEST read ("MANIFEST-000001")
  std::vector<LiveTable> tables;  // live tables present, by file number
  std::vector<std::string> logs;  // live logs present, oldest first
};

// Finds the live files of the LevelDB folder `dir` (a private copy); `display_dir` names the
// original in reports. A live table that is missing is reported. Fails Corruption naming the
// folder when no MANIFEST can be read, or when the store sorts keys other than bytewise.
Result<LiveFiles> FindLiveFiles(const std::string& dir, const std::string& display_dir,
                                const CorruptionReporter& reporter);

}  // namespace ferry::chromium
