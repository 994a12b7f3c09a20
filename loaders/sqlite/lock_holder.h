// Who holds the write lock on an SQLite file, as far as the OS can tell: SQLite takes POSIX
// advisory locks, which Linux lists in /proc/locks with the holder's pid.
//
// Thread safety: reads /proc only; safe from any thread.
#pragma once

#include <string>

namespace ferry::sqlite {

// Names the process holding a write lock on the database `path` (its rollback-journal lock, or
// in WAL mode the writer's lock in `path`-shm): "another process (pid 4242, sqlite3)", "another
// connection of this process", or "" when /proc/locks is unreadable or names no holder.
std::string DescribeWriteLockHolder(const std::string& path);

}  // namespace ferry::sqlite
