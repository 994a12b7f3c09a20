#include "extractors/common/file_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "base/fault_point.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

namespace {

// simdjson indexes documents with 32-bit offsets.
constexpr uint64_t kMaxJsonFileBytes = 0xFFFFFFFFull - simdjson::SIMDJSON_PADDING;
constexpr size_t kPeekBytes = 64 * 1024;

// Owns a file descriptor.
// Reads up to `size` bytes; returns how many were read, or -1 with errno set.
int64_t ReadFully(int fd, char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    if (n == 0) {
      break;
    }
    done += static_cast<size_t>(n);
  }
  return static_cast<int64_t>(done);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool HasByteOrderMark(const char* data, size_t size) {
  return size >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
         static_cast<unsigned char>(data[1]) == 0xBB && static_cast<unsigned char>(data[2]) == 0xBF;
}

// OK when the file at `fd` is still what `read` holds (its first `size` bytes): its size and
// times are those of `opened`, or (grown, touched, or written to ahead of the read) its bytes
// read again are the same. Else IOError "file changed while being read": written to in place
// while it was read, so that `read` may hold two versions of it.
Status ReadAsItIs(int fd, const std::string& path, const struct stat& opened, const char* read,
                  size_t size) {
  struct stat now;
  if (::fstat(fd, &now) != 0) return FileError(path, "stat", errno);
  auto same = [](const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
  };
  if (now.st_size == opened.st_size && same(now.st_mtim, opened.st_mtim) &&
      same(now.st_ctim, opened.st_ctim)) {
    return Status::OK();
  }
  std::string again(std::min<size_t>(size, size_t{1} << 20), '\0');
  for (size_t offset = 0; offset < size;) {
    size_t want = std::min(again.size(), size - offset);
    ssize_t n = ::pread(fd, again.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError(path, "read", errno);
    if (n == 0) {
      return Status::IOError(
          fmt::format("{}: file shrank while being read ({} of {} bytes)", path, offset, size));
    }
    if (std::memcmp(again.data(), read + offset, static_cast<size_t>(n)) != 0) {
      return Status::IOError(fmt::format(
          "{}: file changed while being read (written to in place: what was read of it is no "
          "longer what it holds), so what was read of it is not one file; nothing of it is "
          "loaded, what was committed before stays, and the same command resumes once no one "
          "writes to it",
          path));
    }
    offset += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

Status FileError(const std::string& path, const char* what, int error_number) {
  std::string reason = std::error_code(error_number, std::generic_category()).message();
  std::string message = fmt::format("{}: cannot {}: {}", path, what, reason);
  if (error_number == ENOENT || error_number == ENOTDIR) {
    return Status::NotFound(message);
  }
  return Status::IOError(message);
}

Result<simdjson::padded_string> ReadJsonFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    return FileError(path, "open", errno);
  }
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) {
    return FileError(path, "stat", errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return Status::InvalidArgument(fmt::format("{}: not a regular file", path));
  }
  uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > kMaxJsonFileBytes) {
    return Status::InvalidArgument(fmt::format(
        "{}: {} bytes is more than a JSON document may hold (4 GiB); split it or use ndjson", path,
        size));
  }
  simdjson::padded_string text(static_cast<size_t>(size));
  // In two reads, with the test's point between them: a file written to in place meanwhile
  // would be read as a mix of two versions (docs/reliability.md).
  size_t half = text.size() / 2;
  int64_t got = ReadFully(fd.get(), text.data(), half);
  FaultPoint("source.read");  // a test changes the file here (docs/reliability.md)
  if (got >= 0 && static_cast<size_t>(got) == half) {
    int64_t rest = ReadFully(fd.get(), text.data() + half, text.size() - half);
    got = rest < 0 ? rest : got + rest;
  }
  if (got < 0) {
    return FileError(path, "read", errno);
  }
  if (static_cast<uint64_t>(got) != size) {
    return Status::IOError(
        fmt::format("{}: file shrank while being read ({} of {} bytes)", path, got, size));
  }
  FERRY_RETURN_IF_ERROR(ReadAsItIs(fd.get(), path, info, text.data(), text.size()));
  if (HasByteOrderMark(text.data(), text.size())) {
    text.data()[0] = text.data()[1] = text.data()[2] = ' ';
  }
  return text;
}

std::optional<char> FirstJsonByte(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    return std::nullopt;
  }
  struct stat info;
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return std::nullopt;
  }
  std::string head(kPeekBytes, '\0');
  int64_t got = ReadFully(fd.get(), head.data(), head.size());
  if (got <= 0) {
    return std::nullopt;
  }
  size_t size = static_cast<size_t>(got);
  size_t i = HasByteOrderMark(head.data(), size) ? 3 : 0;
  while (i < size && IsJsonSpace(head[i])) {
    ++i;
  }
  if (i == size) {
    return std::nullopt;
  }
  return head[i];
}

}  // namespace ferry
