// Files ferry writes that hold data or secrets (a dump, a report, a reject file, a new SQLite
// target) are created readable and writable by their owner only (0600), whatever the umask:
// other local users must not read a store's tokens from them (docs/security.md). A file that
// exists already keeps its mode: the user made it.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>

namespace ferry {

inline constexpr unsigned kPrivateFileMode = 0600;

// Opens `path` for writing, appending or truncating, creating it 0600 when missing (close-on-
// exec). Returns the descriptor, or -1 with errno set.
int OpenPrivateFile(const std::string& path, bool append);

// Creates `path` empty and 0600 when nothing is there; true when it was created.
bool CreatePrivateFileIfMissing(const std::string& path);

// Opens a new unnamed file for reading and writing in `folder` ("": $TMPDIR, else /tmp):
// O_TMPFILE, 0600, or where the file system has none a unique name unlinked at once. No other
// user can open it, and it is gone with the process however it ends. *folder_used (may be
// null) gets the folder it tried. Returns the descriptor, or -1 with errno set.
int OpenUnnamedFile(const std::string& folder, std::string* folder_used = nullptr);

}  // namespace ferry
