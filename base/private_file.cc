#include "base/private_file.h"

#include <fcntl.h>
#include <unistd.h>

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

}  // namespace ferry
