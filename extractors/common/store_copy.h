// StoreCopy: a private copy of a browser store's files, made before reading them and removed
// after.
//
// The original is only ever opened for reading, file by file (a lock file is left out, so a
// lock a running browser holds does not matter): LevelDB and SQLite write on open, and a
// browser may rewrite the folder at any time. The copy lives in a fresh mkdtemp folder (mode
// 0700) named "ferry-<tag>-<pid>-XXXXXX" under $TMPDIR or /tmp; it is removed by the
// destructor, by a signal that ends the process, or by a later run when this process was
// killed (private_copies.h). If a file disappears while the folder is copied (the browser
// compacted it away), the whole copy is made again, a few times at most.
//
// Nothing in the folder is followed (the caller checks the folder itself, no_follow.h): an
// entry the filter accepts that is not a regular file (a symbolic link, a FIFO, a device) is not
// copied but listed in refused(), for the caller to report as damage. Before copying, the bytes to
// copy are checked against the free space of the temp folder.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

class StoreCopy {
 public:
  // Chooses the files to copy by their name in the folder.
  using FileFilter = std::function<bool(const std::string& name)>;

  // Copies the regular files of `source_dir` that `include` accepts into a new private
  // folder named after `tag` ("chromium", "firefox"). Fails NotFound or IOError naming the
  // file that could not be read or written, IOError when the temp folder has too little free space,
  // Unavailable when the folder keeps changing under the copy.
  static Result<std::unique_ptr<StoreCopy>> Make(const std::string& source_dir,
                                                 const std::string& tag, const FileFilter& include);

  explicit StoreCopy(std::string path);
  StoreCopy(const StoreCopy&) = delete;
  StoreCopy& operator=(const StoreCopy&) = delete;
  // Removes the copy and everything in it.
  ~StoreCopy();

  // The private folder holding the copy.
  const std::string& path() const { return path_; }
  // Bytes copied.
  uint64_t bytes() const { return bytes_; }
  // One Corruption per entry `include` accepted that is not a regular file (not copied).
  const std::vector<Status>& refused() const { return refused_; }

 private:
  std::string path_;
  int slot_ = -1;  // in the registry of private copies
  uint64_t bytes_ = 0;
  std::vector<Status> refused_;
};

}  // namespace ferry
