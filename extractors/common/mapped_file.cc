#include "extractors/common/mapped_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "base/fault_point.h"
#include "extractors/common/file_reader.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

namespace {

// As ReadJsonFile: JSON offsets are 32-bit in the readers that share the files' limits.
constexpr uint64_t kMaxMappedBytes = 0xFFFFFFFFull - 64;
constexpr size_t kReleaseStep = size_t{8} << 20;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return FileError(path, "open", errno);
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) return FileError(path, "stat", errno);
  if (!S_ISREG(info.st_mode)) {
    return Status::InvalidArgument(fmt::format("{}: not a regular file", path));
  }
  uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > kMaxMappedBytes) {
    return Status::InvalidArgument(fmt::format(
        "{}: {} bytes is more than a JSON document may hold (4 GiB); split it or use ndjson", path,
        size));
  }
  FaultPoint("source.read");  // a test changes the file here (docs/reliability.md)
  if (size == 0) return std::unique_ptr<MappedFile>(new MappedFile(nullptr, 0, 0));
  // Private and writable so that a byte order mark can be rewritten in this process only.
  void* mapped =
      ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
  if (mapped == MAP_FAILED) return FileError(path, "map", errno);
  auto file = std::unique_ptr<MappedFile>(
      new MappedFile(static_cast<char*>(mapped), static_cast<size_t>(size), 0));
  // A file cut before the mapping would fault past its new end: refuse it as a read would.
  if (::fstat(fd.get(), &info) != 0) return FileError(path, "stat", errno);
  if (static_cast<uint64_t>(info.st_size) < size) {
    return Status::IOError(
        fmt::format("{}: file shrank while being read ({} of {} bytes)", path, info.st_size, size));
  }
  ::madvise(mapped, static_cast<size_t>(size), MADV_SEQUENTIAL);
  char* data = file->data_;
  if (size >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
      static_cast<unsigned char>(data[1]) == 0xBB && static_cast<unsigned char>(data[2]) == 0xBF) {
    data[0] = data[1] = data[2] = ' ';
    // The rewritten page is this process's own copy: releasing it would bring the mark back.
    file->floor_ = file->released_ = PageSize();
  }
  return file;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

void MappedFile::ReleaseBefore(size_t offset) {
  size_t end = std::min(offset, size_) & ~(PageSize() - 1);
  if (end <= floor_ || (end >= released_ && end < released_ + kReleaseStep)) return;
  // From the floor, not from the last release: a reader may have touched earlier pages since
  // (a place located from the start); releasing pages not held costs next to nothing.
  ::madvise(data_ + floor_, end - floor_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace ferry
