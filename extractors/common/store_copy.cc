#include "extractors/common/store_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <vector>

#include "extractors/common/file_reader.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

namespace {

constexpr int kCopyAttempts = 3;
constexpr size_t kCopyBufferBytes = 1 << 20;

// Opens a file of the original for reading without touching its access time when allowed.
int OpenOriginal(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
  if (fd < 0 && errno == EPERM) {  // O_NOATIME needs the file's owner
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  }
  return fd;
}

// The names of the regular files of `dir` that `include` accepts, sorted.
Result<std::vector<std::string>> ListFiles(const std::string& dir,
                                           const StoreCopy::FileFilter& include) {
  DIR* raw = ::opendir(dir.c_str());
  if (raw == nullptr) {
    return FileError(dir, "open the folder", errno);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> folder(raw, &::closedir);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(folder.get())) {
    std::string name = entry->d_name;
    struct stat info;
    if (name == "." || name == ".." || !include(name) ||
        ::lstat((dir + "/" + name).c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      continue;
    }
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Copies one file; *vanished is set (and OK returned) when the original is gone.
Status CopyFile(const std::string& from, const std::string& to, bool* vanished, uint64_t* bytes) {
  ScopedFd in(OpenOriginal(from));
  if (in.get() < 0) {
    if (errno == ENOENT) {
      *vanished = true;
      return Status::OK();
    }
    return FileError(from, "open", errno);
  }
  ScopedFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    return FileError(to, "create the copy", errno);
  }
  std::vector<char> buffer(kCopyBufferBytes);
  while (true) {
    ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return FileError(from, "read", errno);
    }
    if (got == 0) {
      return Status::OK();
    }
    for (ssize_t done = 0; done < got;) {
      ssize_t put = ::write(out.get(), buffer.data() + done, static_cast<size_t>(got - done));
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

}  // namespace

Result<std::unique_ptr<StoreCopy>> StoreCopy::Make(const std::string& source_dir,
                                                   const std::string& tag,
                                                   const FileFilter& include) {
  for (int attempt = 1; attempt <= kCopyAttempts; ++attempt) {
    FERRY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListFiles(source_dir, include));
    std::string pattern = TempBase() + "/ferry-" + tag + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {  // mode 0700
      return FileError(pattern, "create a private folder", errno);
    }
    auto copy = std::make_unique<StoreCopy>(pattern);
    bool vanished = false;
    for (const std::string& name : names) {
      FERRY_RETURN_IF_ERROR(
          CopyFile(source_dir + "/" + name, copy->path_ + "/" + name, &vanished, &copy->bytes_));
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
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace ferry
