// The files a file-based source is made of: the file itself, or the matching files of a folder.
//
// A folder source is listed once, in a stable order (file names compared byte by byte), so
// that the same folder gives the same units in the same order on every run (resume relies on
// it). Only the folder's own regular files (symbolic links followed) whose extension matches,
// case-insensitively, are taken; sub-folders and hidden files (".name") are left out.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ferry {

struct SourceFile {
  std::string path;   // the folder as given joined with the file name, or the file as given
  uint64_t size = 0;  // bytes, when listed
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

// The sorted names of the files `ListSourceFiles` would take from `folder`; empty on failure.
std::vector<std::string> MatchingFileNames(const std::string& folder,
                                           const std::vector<std::string_view>& extensions);

// True when `path` ends with one of `extensions`, compared case-insensitively.
bool HasExtension(std::string_view path, const std::vector<std::string_view>& extensions);

// The file name without folder and last extension: "dumps/user-17.json" -> "user-17".
std::string FileStem(const std::string& path);

}  // namespace ferry
