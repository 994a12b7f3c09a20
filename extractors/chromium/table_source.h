// One LevelDB table (.ldb) as a SortedSource, read with leveldb::Table (Debian's libleveldb,
// snappy included) with every block checksum verified.
//
// A damaged table never hides the others: a table whose footer or index is unreadable (zero
// length, truncated) is reported and left out; a data block that fails its checksum or does
// not decompress is reported with its offset, and the iteration goes on with the next block.
// The file is read through a recording RandomAccessFile, which is how a block that the
// table iterator passed over is found and named.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "extractors/chromium/live_files.h"
#include "extractors/chromium/sorted_source.h"
#include "extractors/extractor.h"

namespace ferry::chromium {

// Opens the table `table.name` of the folder `dir` (a private copy), positioned at its first
// entry; `display_dir` names the original in reports. Returns nullptr, after reporting why,
// when the table cannot be read at all.
std::unique_ptr<SortedSource> OpenTable(const std::string& dir, const std::string& display_dir,
                                        const LiveTable& table, const CorruptionReporter& reporter);

}  // namespace ferry::chromium
