// ScopedFd: a POSIX file descriptor closed when it goes out of scope.
//
// Thread safety: one owner; not copyable, movable.
#pragma once

#include <unistd.h>

#include <utility>

namespace ferry {

class ScopedFd {
 public:
  ScopedFd() = default;
  // Takes ownership of `fd` (which may be -1, meaning none).
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) {
      Reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }
  ~ScopedFd() { Reset(-1); }

  // The descriptor, or -1.
  int get() const { return fd_; }
  // Closes the current descriptor and owns `fd` instead.
  void Reset(int fd) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace ferry
