// Telling what a path given as a firefox source is, and finding its localStorage stores.
//
//   a profile folder     holds storage/default/ (and maybe webappsstore.sqlite,
//                        storage/ls-archive.sqlite); its origins are the folders
//                        storage/default/<origin folder>/ls/data.sqlite
//   a profiles folder    holds profiles.ini; every profile folder in it is read
//   an origin folder     holds ls/data.sqlite; an `ls` folder holds data.sqlite
//   a database file      data.sqlite (inside an `ls` folder), webappsstore.sqlite or
//                        ls-archive.sqlite; with the firefox: prefix any file is taken as a
//                        data.sqlite
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace ferry {

// True when `path` looks like a Firefox profile, origin or ls folder, or one of its
// localStorage database files (for the registry).
bool DetectFirefox(const std::string& path);

namespace firefox {

struct ProfileStores {
  std::string unit;                     // the profile folder, or the path given outside one
  std::vector<std::string> data_files;  // <origin folder>/ls/data.sqlite, in folder order
  std::string archive_file;             // storage/ls-archive.sqlite, or ""
  std::string webapps_file;             // webappsstore.sqlite, or ""
  // storage/default exists beside webapps_file: the old store may be stale.
  bool newer_store_beside = false;
  // The stores not read because a symbolic link lies on the way to them below the path given,
  // or the file is a link, FIFO or device (Corruption naming the place, reported as damage).
  std::vector<Status> refused;
};

// The stores of the source at `path`, profiles in name order. Fails NotFound when the path
// does not exist, InvalidArgument naming it when it is none of the kinds above. Nothing below
// `path` is followed (extractors/common/no_follow.h): a store behind a link is in `refused`.
Result<std::vector<ProfileStores>> FindProfiles(const std::string& path);

// The origin folder name of a data.sqlite path (".../<name>/ls/data.sqlite"), or "".
std::string OriginFolderOf(const std::string& data_file);

}  // namespace firefox
}  // namespace ferry
