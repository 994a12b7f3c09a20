// The SQLite target: a Loader writing into one database file.
//
// Durability: the file is put in WAL mode with synchronous=FULL, so a committed batch (and its
// checkpoint) survives a power loss, not only a crash of ferry. NORMAL would be faster but may
// lose the last commits on power loss, which breaks the promise that a resumed run ends with
// exactly the rows a clean run writes.
//
// Dry-run never writes or creates a byte: a missing file is treated as an empty target, an
// existing one is opened read-only, and when no other connection has it open (no -wal or
// -journal beside it) as immutable, so that SQLite does not create its -wal and -shm files.
//
// Errors: SQLITE_BUSY/LOCKED -> Unavailable (retriable); a row breaking a constraint ->
// Rejected; a file that is not a database -> Corruption; the OS refusing -> IOError.
//
// Thread safety: a loader is used by one thread at a time (one connection per loader).
#pragma once

#include <memory>

#include "loaders/loader.h"

namespace ferry {

struct SqliteLoaderOptions {
  // How long a statement waits for another connection's lock before failing as Unavailable
  // (--busy-timeout); the retrying loader's retries each wait as long again.
  int busy_timeout_ms = 5000;
};

// --busy-timeout: the busy timeout of every loader MakeSqliteLoader makes from now on.
void SetSqliteBusyTimeout(int busy_timeout_ms);

// The loader for spec.path. Never null; problems with the path are reported by Check().
std::unique_ptr<Loader> MakeSqliteLoader(const TargetSpec& spec);
std::unique_ptr<Loader> MakeSqliteLoaderWithOptions(const TargetSpec& spec,
                                                    const SqliteLoaderOptions& options);

}  // namespace ferry
