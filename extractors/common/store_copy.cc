#include "extractors/common/store_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "extractors/common/file_reader.h"
#include "extractors/common/no_follow.h"
#include "extractors/common/private_copies.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

namespace {

constexpr int kCopyAttempts = 3;
constexpr size_t kCopyBufferBytes = 1 << 20;
// Left free in the temp folder after the copy, so that ferry does not fill a disk.
constexpr uint64_t kFreeSpaceMarginBytes = 64ull << 20;

// Opens a file of the original for reading, never through a link, without touching its
// access time when allowed.
int OpenOriginal(int dir, const std::string& name) {
  int fd = ::openat(dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOATIME);
  if (fd < 0 && errno == EPERM) {  // O_NOATIME needs the file's owner
    fd = ::openat(dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  }
  return fd;
}

struct Listing {
  std::vector<std::string> names;  // regular files, sorted
  uint64_t bytes = 0;              // their sizes
  std::vector<Status> refused;
};

// The regular files of the open folder `dir` that `include` accepts; the others it accepts
// are refused.
Result<Listing> ListFiles(int dir, const std::string& shown, const StoreCopy::FileFilter& include) {
  int listing_fd = ::dup(dir);
  DIR* raw = listing_fd < 0 ? nullptr : ::fdopendir(listing_fd);
  if (raw == nullptr) {
    if (listing_fd >= 0) ::close(listing_fd);
    return FileError(shown, "open the folder", errno);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> folder(raw, &::closedir);
  ::rewinddir(folder.get());
  Listing listing;
  while (const dirent* entry = ::readdir(folder.get())) {
    std::string name = entry->d_name;
    struct stat info;
    if (name == "." || name == ".." || !include(name) ||
        ::fstatat(dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;
    }
    if (!S_ISREG(info.st_mode)) {
      listing.refused.push_back(
          Status::Corruption(fmt::format("{}/{}: {} where a store file should be; not read", shown,
                                         name, FileTypeName(info.st_mode))));
      continue;
    }
    listing.bytes += static_cast<uint64_t>(info.st_size);
    listing.names.push_back(std::move(name));
  }
  std::sort(listing.names.begin(), listing.names.end());
  return listing;
}

// Copies one file; *vanished is set (and OK returned) when the original is gone.
Status CopyFile(int dir, const std::string& name, const std::string& shown, const std::string& to,
                bool* vanished, uint64_t* bytes) {
  ScopedFd in(OpenOriginal(dir, name));
  if (in.get() < 0) {
    if (errno == ENOENT) {
      *vanished = true;
      return Status::OK();
    }
    return FileError(shown, "open", errno);
  }
  struct stat info;
  if (::fstat(in.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Status::Corruption(fmt::format("{}: not a regular file; not read", shown));
  }
  ScopedFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    return FileError(to, "create the copy", errno);
  }
  // In the kernel first (copy_file_range: no trip through a buffer here, which for the large
  // fixture's 3.9 MB was a MiB zeroed a file and every byte copied twice), until the end of
  // the file as it grows. Where the kernel cannot (another file system type, an old kernel),
  // or says 0 before st_size or at once (a file system, like /proc, whose files say size 0 and
  // give no data this way), the rest goes through a buffer from where it stopped: both calls
  // move the files' offsets. An empty file costs one read more.
  auto want = static_cast<uint64_t>(info.st_size);
  uint64_t copied = 0;
  while (true) {
    ssize_t put = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, kCopyBufferBytes, 0);
    if (put < 0 && errno == EINTR) {
      continue;
    }
    if (put > 0) {
      copied += static_cast<uint64_t>(put);
      *bytes += static_cast<uint64_t>(put);
      continue;
    }
    if (put == 0 && copied > 0 && copied >= want) {
      return Status::OK();
    }
    if (put < 0 && errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP &&
        errno != EPERM && errno != EBADF) {
      return FileError(shown, "copy", errno);
    }
    break;  // the buffer below, from here
  }
  std::unique_ptr<char[]> buffer(new char[kCopyBufferBytes]);  // not zeroed: read into first
  while (true) {
    ssize_t got = ::read(in.get(), buffer.get(), kCopyBufferBytes);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return FileError(shown, "read", errno);
    }
    if (got == 0) {
      return Status::OK();
    }
    for (ssize_t done = 0; done < got;) {
      ssize_t put = ::write(out.get(), buffer.get() + done, static_cast<size_t>(got - done));
      if (put < 0 && errno == EINTR) {
        continue;
      }
      if (put < 0) {
        return FileError(to, "write the copy", errno);
      }
      done += put;
    }
    *bytes += static_cast<uint64_t>(got);
  }
}

std::string TempBase() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

Status CheckFreeSpace(const std::string& base, uint64_t needed, const std::string& source) {
  struct statvfs space;
  if (::statvfs(base.c_str(), &space) != 0) {
    return Status::OK();  // unknown: mkdtemp or the copy will say what is wrong
  }
  uint64_t available = static_cast<uint64_t>(space.f_bavail) * space.f_frsize;
  if (needed + kFreeSpaceMarginBytes > available) {
    return Status::IOError(fmt::format(
        "{}: its store files take {} bytes, and the temp folder {} has {} bytes free (ferry "
        "leaves {} MiB free); point TMPDIR at a folder with more room",
        source, needed, base, available, kFreeSpaceMarginBytes >> 20));
  }
  return Status::OK();
}

}  // namespace

StoreCopy::StoreCopy(std::string path) : path_(std::move(path)) {
  slot_ = RegisterPrivateCopy(path_);
}

Result<std::unique_ptr<StoreCopy>> StoreCopy::Make(const std::string& source_dir,
                                                   const std::string& tag,
                                                   const FileFilter& include) {
  static std::once_flag stale_removed;
  std::call_once(stale_removed, [] { RemoveStaleCopies(TempBase()); });
  // The folder itself is followed: the caller checked that it is no link below what the user
  // named (no_follow.h), and the user may have named a link.
  ScopedFd dir(::open(source_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    return FileError(source_dir, "open the folder", errno);
  }
  for (int attempt = 1; attempt <= kCopyAttempts; ++attempt) {
    FERRY_ASSIGN_OR_RETURN(Listing listing, ListFiles(dir.get(), source_dir, include));
    std::string base = TempBase();
    FERRY_RETURN_IF_ERROR(CheckFreeSpace(base, listing.bytes, source_dir));
    std::string pattern = base + "/" + CopyFolderPrefix(tag) + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {  // mode 0700
      return FileError(pattern, "create a private folder", errno);
    }
    auto copy = std::make_unique<StoreCopy>(pattern);
    copy->refused_ = std::move(listing.refused);
    bool vanished = false;
    for (const std::string& name : listing.names) {
      FERRY_RETURN_IF_ERROR(CopyFile(dir.get(), name, source_dir + "/" + name,
                                     copy->path_ + "/" + name, &vanished, &copy->bytes_));
      if (vanished) {
        break;
      }
    }
    if (!vanished) {
      return copy;
    }
  }
  return Status::Unavailable(fmt::format(
      "{}: files kept disappearing while the folder was copied ({} attempts); is a browser "
      "compacting it? Close the browser and try again",
      source_dir, kCopyAttempts));
}

StoreCopy::~StoreCopy() {
  UnregisterPrivateCopy(slot_);
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace ferry
