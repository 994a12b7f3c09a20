// Reading below the path the user named without following symbolic links.
//
// The path the user typed may itself be a link: the user chose it. Nothing below it is
// followed: a hostile store or dump could hold a link (a profile, "Local Storage", an origin
// folder, a store file) leading to the user's own files, which ferry would then export or
// migrate. A link, FIFO, socket or device where a store's file or folder should be is damage,
// reported with its place and never read through (docs/security.md).
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/status.h"

namespace ferry {

// The first component of `path` strictly below `root` that is a symbolic link, or "" when
// there is none (or `path` is not `root` followed by more components). `path` is `root`
// joined with relative components by '/'.
std::string FirstLinkBelow(const std::string& root, const std::string& path);

// OK when `path` (`root` itself, or below it) is a place a store may be read from: no link
// on the way below `root`, and `path` a folder (want_folder) or a regular file. Otherwise
// Corruption naming the place and what it is ("...: a symbolic link; not followed"). A
// missing path is NotFound.
Status CheckStorePlace(const std::string& root, const std::string& path, bool want_folder);

// What a file of type `mode` is, for messages: "a symbolic link", "a FIFO", "a folder", ...
const char* FileTypeName(mode_t mode);

}  // namespace ferry
