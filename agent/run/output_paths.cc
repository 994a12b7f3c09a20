#include "agent/run/output_paths.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry {

namespace {

// The folder a file path lands in: its part before the last '/', "." when it has none.
std::string FolderOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status Refused(const std::string& flag, const std::string& path, const std::string& why) {
  return Status::InvalidArgument(fmt::format("{} {}: {}; nothing was written", flag, path, why));
}

}  // namespace

Status CheckOutputFile(const std::string& flag, const std::string& path) {
  if (path.empty()) return Status::OK();
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return Refused(flag, path, "is a folder, not a file");
    if (::access(path.c_str(), W_OK) != 0) {
      return Refused(flag, path, fmt::format("cannot be written ({})", std::strerror(errno)));
    }
    return Status::OK();
  }
  if (errno != ENOENT && errno != ENOTDIR) {
    return Refused(flag, path, fmt::format("cannot be written ({})", std::strerror(errno)));
  }
  std::string folder = FolderOf(path);
  if (::stat(folder.c_str(), &info) != 0) {
    return Refused(
        flag, path,
        errno == ENOENT || errno == ENOTDIR
            ? fmt::format("the folder {} does not exist", folder)
            : fmt::format("the folder {} cannot be read ({})", folder, std::strerror(errno)));
  }
  if (!S_ISDIR(info.st_mode)) {
    return Refused(flag, path, fmt::format("{} is not a folder", folder));
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return Refused(flag, path,
                   fmt::format("the folder {} is not writable ({})", folder, std::strerror(errno)));
  }
  return Status::OK();
}

}  // namespace ferry
