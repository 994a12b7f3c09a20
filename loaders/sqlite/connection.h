// Opening the target file: read-write with the durability settings, or, in dry-run, without
// creating or writing a byte (see sqlite_loader.h).
//
// Thread safety: the returned connection belongs to the caller's thread.
#pragma once

#include <string>

#include "base/result.h"
#include "loaders/sqlite/sqlite_handle.h"

namespace ferry::sqlite {

// Opens `path` for writing (creating it) with synchronous=FULL and foreign keys enforced; a
// file it creates is switched to WAL, an existing database keeps its journal mode.
// Fails naming the path: IOError when it cannot be opened or written, Corruption when it is
// not an SQLite database, InvalidArgument when the path is empty.
Result<Database> OpenForWriting(const std::string& path, int busy_timeout_ms);

// A migrate run's commits on a WAL file need not be synced one by one: `during_run` sets
// synchronous=NORMAL on such a file (WAL frames are synced at each checkpoint; a power loss
// may drop a suffix of the latest commits, never one from the middle nor part of one), and
// false sets FULL again, so that the run's end, committed after it, syncs the WAL with every
// frame before it. A rollback-journal file keeps FULL throughout (NORMAL there could corrupt
// the file on a power loss). docs/design.md, "Asynchronous commits".
Status SetRunDurability(sqlite3* db, bool during_run);

// Opens `path` read-only for a dry-run; a null Database when the file does not exist.
Result<Database> OpenForDryRun(const std::string& path, int busy_timeout_ms);

// "file:" URI of `path` with `query` ("immutable=1"), every unusual byte %-escaped.
std::string FileUri(const std::string& path, const std::string& query);

}  // namespace ferry::sqlite
