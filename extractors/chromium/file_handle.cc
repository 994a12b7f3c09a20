#include "extractors/chromium/file_handle.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "extractors/common/file_reader.h"

namespace ferry::chromium {

Result<FileHandle> FileHandle::Open(const std::string& path, const std::string& display_path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileError(display_path, "open", errno);
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    int error_number = errno;
    ::close(fd);
    return FileError(display_path, "stat", error_number);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(fmt::format("{} is not a regular file", display_path));
  }
  return FileHandle(fd, static_cast<uint64_t>(info.st_size), display_path);
}

FileHandle::FileHandle(FileHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      display_path_(std::move(other.display_path_)) {}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    display_path_ = std::move(other.display_path_);
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Result<size_t> FileHandle::Read(uint64_t offset, size_t n, char* buffer) const {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd_, buffer + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return FileError(display_path_, "read", errno);
    }
    if (got == 0) {
      break;
    }
    done += static_cast<size_t>(got);
  }
  return done;
}

}  // namespace ferry::chromium
