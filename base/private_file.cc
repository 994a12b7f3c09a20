#include "base/private_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace ferry {

// open() applies the umask to 0600, which can only narrow it: never wider than 0600.
int OpenPrivateFile(const std::string& path, bool append) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  return ::open(path.c_str(), flags, kPrivateFileMode);
}

bool CreatePrivateFileIfMissing(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) {
    return false;
  }
  ::close(fd);
  return true;
}

int OpenUnnamedFile(const std::string& folder, std::string* folder_used) {
  std::string in = folder;
  if (in.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    in = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  }
  if (folder_used != nullptr) *folder_used = in;
  int fd = ::open(in.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, kPrivateFileMode);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR)) return fd;
  std::string name = in + "/ferry-XXXXXX";  // no O_TMPFILE: a name unlinked at once
  fd = ::mkostemp(name.data(), O_CLOEXEC);  // 0600
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

}  // namespace ferry
