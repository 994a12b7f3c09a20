// The files a file-based source is made of: the file itself, or the matching files of a folder.
//
// A folder source is listed once, in a stable order (file names compared byte by byte), so
// that the same folder gives the same units in the same order on every run (resume relies on
// it). Only the folder's own regular files whose extension matches, case-insensitively, are
// read; sub-folders and hidden files (".name") are left out. A matching name that is a
// symbolic link, FIFO or device is listed with `refused` set and never opened: a dump folder
// could otherwise link to any file of the user's (extractors/common/no_follow.h). The path
// given may itself be a link.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

struct SourceFile {
  std::string path;   // the folder as given joined with the file name, or the file as given
  uint64_t size = 0;  // bytes, when listed
  Status refused;     // not OK: not read (a link, FIFO or device in a folder), to report
};

struct SourceFiles {
  std::vector<SourceFile> files;
  bool from_folder = false;  // true when the source path is a folder
};

// Lists the files of the source at `path`. A file is taken as it is, whatever its extension.
// Fails NotFound when `path` does not exist or is a folder holding no file with one of
// `extensions` (given with the dot: ".json"), IOError when it cannot be read, InvalidArgument
// when it is neither a file nor a folder.
Result<SourceFiles> ListSourceFiles(const std::string& path,
                                    const std::vector<std::string_view>& extensions);

// The sorted names of the regular files `ListSourceFiles` would read from `folder`; empty on
// failure.
std::vector<std::string> MatchingFileNames(const std::string& folder,
                                           const std::vector<std::string_view>& extensions);

// True when `path` ends with one of `extensions`, compared case-insensitively.
bool HasExtension(std::string_view path, const std::vector<std::string_view>& extensions);

// The file name without folder and last extension: "dumps/user-17.json" -> "user-17".
std::string FileStem(const std::string& path);

}  // namespace ferry
