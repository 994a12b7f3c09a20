// A read-only file descriptor that closes itself, with positional reads that name the file
// in their errors.
//
// Thread safety: one FileHandle per thread; Read() does not move a shared position.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/status.h"

namespace ferry::chromium {

class FileHandle {
 public:
  // Opens `path` for reading. Fails NotFound or IOError naming `display_path`.
  static Result<FileHandle> Open(const std::string& path, const std::string& display_path);

  FileHandle(FileHandle&& other) noexcept;
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();

  uint64_t size() const { return size_; }  // at Open()
  const std::string& display_path() const { return display_path_; }

  // Reads up to `n` bytes at `offset` into `buffer`; fewer only at the end of the file.
  // Returns the count read. Fails IOError naming the file.
  Result<size_t> Read(uint64_t offset, size_t n, char* buffer) const;

 private:
  FileHandle(int fd, uint64_t size, std::string display_path)
      : fd_(fd), size_(size), display_path_(std::move(display_path)) {}

  int fd_ = -1;
  uint64_t size_ = 0;
  std::string display_path_;
};

}  // namespace ferry::chromium
