// AtomicFile: a file that appears whole or not at all.
//
// Writes go to a temporary file beside the destination (same folder, so the final rename
// stays on one file system); Commit() flushes, syncs and renames it over the destination.
// Destroyed without Commit() (a failure, an exception), the temporary file is removed and
// the destination left as it was: a failed export never leaves half a file.
//
// Thread safety: one AtomicFile per thread.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

class AtomicFile {
 public:
  // Creates the temporary file beside `path`. Fails IOError naming the folder.
  static Result<std::unique_ptr<AtomicFile>> Create(const std::string& path);

  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  std::ostream& stream() { return stream_; }
  const std::string& temp_path() const { return temp_path_; }

  // Makes the written bytes the destination's. Fails IOError naming the file; the temporary
  // file is then removed. REQUIRES: called at most once.
  Status Commit();

  // As Commit, but never over an existing destination (renameat2 RENAME_NOREPLACE, or a hard
  // link where the file system lacks it): InvalidArgument naming the file when one exists,
  // which is then left as it was.
  Status CommitWithoutReplacing();

 private:
  AtomicFile(std::string path, std::string temp_path)
      : path_(std::move(path)), temp_path_(std::move(temp_path)) {}

  // Flushes, closes and syncs the temporary file.
  Status Sync();

  const std::string path_;
  const std::string temp_path_;
  std::ofstream stream_;
  bool committed_ = false;
};

}  // namespace ferry
