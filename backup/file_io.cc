#include "backup/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::backup {

Status ErrnoStatus(std::string_view what) {
  return Status::IOError(std::string(what) + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(what);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status ReadUpTo(int fd, size_t n, std::string* out, std::string_view what) {
  std::string buffer;
  std::string_view got;
  Status status = ReadInto(fd, n, &buffer, &got, what);
  buffer.resize(got.size());
  *out = std::move(buffer);
  return status;
}

Status ReadInto(int fd, size_t n, std::string* buffer, std::string_view* out,
                std::string_view what) {
  *out = std::string_view();
  if (buffer->size() < n) buffer->resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, buffer->data() + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(what);
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  *out = std::string_view(buffer->data(), got);
  return Status::OK();
}

}  // namespace ferry::backup
