#include "extractors/common/line_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/fault_point.h"
#include "extractors/common/file_reader.h"

namespace ferry {

namespace {
constexpr size_t kBufferBytes = 256 * 1024;
}  // namespace

LineReader::LineReader(std::string path, size_t max_line_bytes)
    : path_(std::move(path)),
      max_line_bytes_(max_line_bytes),
      buffer_(std::make_unique<char[]>(kBufferBytes)) {}

LineReader::~LineReader() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Status LineReader::Open() {
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) {
    return FileError(path_, "open", errno);
  }
  struct stat info;
  if (::fstat(fd_, &info) != 0) {
    return FileError(path_, "stat", errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return Status::InvalidArgument(fmt::format("{}: not a regular file", path_));
  }
  size_at_open_ = static_cast<int64_t>(info.st_size);
  mtime_at_open_ = info.st_mtim;
  ctime_at_open_ = info.st_ctim;
  done_ = false;
  return Status::OK();
}

Result<bool> LineReader::Fill() {
  begin_ = end_ = 0;
  FaultPoint("source.read");  // a test changes the file here (docs/reliability.md)
  // The file as it was when opened, as the fingerprint recorded it: bytes appended while it
  // is read are the next run's, and a file cut short is an error, never a silent end.
  while (true) {
    size_t want = static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(kBufferBytes), size_at_open_ - file_offset_));
    if (want == 0) {
      Status unchanged = CheckUnchanged();
      if (!unchanged.ok()) {
        done_ = true;
        return unchanged;
      }
      return false;
    }
    ssize_t n = ::read(fd_, buffer_.get(), want);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      done_ = true;
      return FileError(path_, "read", errno);
    }
    if (n == 0) {
      done_ = true;
      return Status::IOError(fmt::format("{}: file shrank while being read ({} of {} bytes)", path_,
                                         file_offset_, size_at_open_));
    }
    end_ = static_cast<size_t>(n);
    file_offset_ += n;
    digest_.Update(buffer_.get(), end_);
    return true;
  }
}

Status LineReader::CheckUnchanged() {
  struct stat now;
  if (::fstat(fd_, &now) != 0) return FileError(path_, "stat", errno);
  auto same = [](const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
  };
  if (now.st_size == size_at_open_ && same(now.st_mtim, mtime_at_open_) &&
      same(now.st_ctim, ctime_at_open_)) {
    return Status::OK();
  }
  // Appended to (bytes past size_at_open_ are the next run's), or written to in place: only
  // the bytes tell.
  StreamDigest again;
  int64_t offset = 0;
  while (offset < size_at_open_) {
    size_t want = static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(kBufferBytes), size_at_open_ - offset));
    ssize_t n = ::pread(fd_, buffer_.get(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError(path_, "read", errno);
    if (n == 0) {
      return Status::IOError(fmt::format("{}: file shrank while being read ({} of {} bytes)", path_,
                                         offset, size_at_open_));
    }
    again.Update(buffer_.get(), static_cast<size_t>(n));
    offset += n;
  }
  begin_ = end_ = 0;
  if (again.Value() == digest_.Value()) return Status::OK();
  return Status::IOError(fmt::format(
      "{}: file changed while being read (written to in place: what was read of it is no longer "
      "its start), so what was read of it is not one file; nothing of it is loaded, what was "
      "committed before stays, and the same command resumes once no one writes to it",
      path_));
}

Result<bool> LineReader::ReadLine(std::string* line) {
  line->clear();
  if (done_) {
    return false;
  }
  line_offset_ = consumed_;
  bool started = false;  // a byte of this line (or its "\n") was read
  while (true) {
    if (begin_ == end_) {
      FERRY_ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) {
        done_ = true;
        if (!started) {
          return false;
        }
        break;
      }
    }
    started = true;
    const char* start = buffer_.get() + begin_;
    const char* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    size_t take = newline ? static_cast<size_t>(newline - start) : end_ - begin_;
    if (line->size() + take > max_line_bytes_) {
      done_ = true;
      return Status::Corruption(fmt::format("{}:{}: the line is longer than {} bytes", path_,
                                            line_number_ + 1, max_line_bytes_));
    }
    line->append(start, take);
    size_t step = take + (newline ? 1 : 0);
    begin_ += step;
    consumed_ += static_cast<int64_t>(step);
    if (newline) {
      break;
    }
  }
  ++line_number_;
  if (!line->empty() && line->back() == '\r') {
    line->pop_back();
  }
  return true;
}

}  // namespace ferry
