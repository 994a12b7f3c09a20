#include "agent/export/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace ferry {

namespace {

Status Failed(const std::string& what, const std::string& path, int error_number) {
  return Status::IOError(fmt::format("cannot {} {}: {}", what, path, std::strerror(error_number)));
}

}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::Create(const std::string& path) {
  std::filesystem::path destination(path);
  std::string name = destination.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return Status::InvalidArgument(fmt::format("--out {}: not a file name", path));
  }
  std::filesystem::path folder = destination.parent_path();
  std::string pattern = (folder / ("." + name + ".ferry-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) {
    return Failed("create a file in", folder.empty() ? "." : folder.string(), errno);
  }
  // mkstemp makes the file 0600, which it keeps: a dump holds the store's tokens, and other
  // local users must not read them (docs/security.md).
  ::close(fd);
  std::unique_ptr<AtomicFile> file(new AtomicFile(path, buffer.data()));
  file->stream_.open(file->temp_path_, std::ios::binary | std::ios::trunc);
  if (!file->stream_) {
    return Failed("open", file->temp_path_, errno);
  }
  return file;
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    stream_.close();
    ::unlink(temp_path_.c_str());
  }
}

Status AtomicFile::Sync() {
  // errno of the write that failed (ENOSPC on a full disk) names the cause. A stream that
  // failed makes no further system calls, so errno is still that write's when the caller
  // wrote and then committed (as every caller here does).
  int error_number = stream_ ? 0 : errno;
  if (stream_) {
    errno = 0;
    stream_.flush();
    if (!stream_) error_number = errno;
  }
  bool written = static_cast<bool>(stream_);
  stream_.close();
  if (!written || stream_.fail()) {
    if (error_number == 0) error_number = errno;
    return Status::IOError(
        fmt::format("cannot write {}: {}", path_,
                    error_number != 0 ? std::strerror(error_number) : "a write failed"));
  }
  int fd = ::open(temp_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int sync_error = errno;
    if (fd >= 0) ::close(fd);
    return Failed("sync", temp_path_, sync_error);
  }
  ::close(fd);
  return Status::OK();
}

Status AtomicFile::Commit() {
  FERRY_RETURN_IF_ERROR(Sync());
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Failed("rename the dump to", path_, errno);
  }
  committed_ = true;
  return Status::OK();
}

Status AtomicFile::CommitWithoutReplacing() {
  FERRY_RETURN_IF_ERROR(Sync());
  int moved = ::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE);
  if (moved != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // No RENAME_NOREPLACE here: a hard link fails on an existing name just the same.
    moved = ::link(temp_path_.c_str(), path_.c_str());
    if (moved == 0) ::unlink(temp_path_.c_str());
  }
  if (moved != 0) {
    if (errno == EEXIST) {
      return Status::InvalidArgument(fmt::format("{}: the file exists; not replaced", path_));
    }
    return Failed("create", path_, errno);
  }
  committed_ = true;
  return Status::OK();
}

}  // namespace ferry
