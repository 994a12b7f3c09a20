// The live .log files of a LevelDB folder as a SortedSource: every write batch replayed, the
// newest operation on each key kept (a put, or a delete that hides older puts in tables).
//
// The logs hold what was written since the last table. LevelDB keeps them small (a few MiB)
// by moving them into tables, but a hostile one may hold millions of keys: only where each
// key's newest value is (about 60 bytes plus the key) is held, in memory up to a budget and
// past it in a temporary file (SpillingKeyIndex), and the value is read again from the log when
// its key's turn comes (docs/design.md, "Memory"). The logs stay open until then.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/spilling_key_index.h"
#include "extractors/chromium/sorted_source.h"
#include "extractors/extractor.h"

namespace ferry::chromium {

// Replays the logs `names` (oldest first) of the folder `dir`; `display_dir` names the
// original in reports. A damaged record or batch is reported and skipped. Fails only when a
// log cannot be opened or read, or the key index past `memory_budget` bytes cannot be written
// to its temporary file (IOError or NotFound).
Result<std::unique_ptr<SortedSource>> ReadLogs(const std::string& dir,
                                               const std::string& display_dir,
                                               const std::vector<std::string>& names,
                                               const CorruptionReporter& reporter,
                                               uint64_t memory_budget = kKeyIndexMemoryBudget);

}  // namespace ferry::chromium
