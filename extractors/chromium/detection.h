// Telling what a path given as a chromium source is, and finding its localStorage stores.
//
//   a LevelDB folder   holds CURRENT or a MANIFEST-* file (with chromium: named explicitly,
//                      also one holding only .ldb/.log files, so that a store whose CURRENT
//                      and MANIFEST are lost gets a clear error instead of "unknown kind")
//   a profile folder   holds "Local Storage/leveldb" (Default, Profile 1, ...)
//   a user-data folder holds "Local State"; every profile folder in it is a store
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace ferry {

// True when `path` is a Chromium LevelDB, profile or user-data folder (for the registry).
bool DetectChromium(const std::string& path);

namespace chromium {

struct StoreLocation {
  std::string unit;         // the profile folder, or the LevelDB folder when outside one
  std::string leveldb_dir;  // the "Local Storage/leveldb" folder
  // Not OK when the store is not read: a symbolic link (or not a folder) on the way to it
  // below the path given (Corruption naming the place, to report as damage).
  Status refused;
};

// The stores of the source at `path`, profiles in name order. Fails NotFound when the path
// does not exist or a user-data folder holds no profile with localStorage, InvalidArgument
// when it is none of the three kinds of folder. A store reached through a symbolic link below
// `path` is listed with `refused` set (extractors/common/no_follow.h).
Result<std::vector<StoreLocation>> FindStores(const std::string& path);

}  // namespace chromium
}  // namespace ferry
