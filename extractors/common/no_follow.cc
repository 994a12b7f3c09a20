#include "extractors/common/no_follow.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>

#include "extractors/common/file_reader.h"

namespace ferry {

namespace {

// `root` without trailing slashes ("/" stays "/").
std::string Trimmed(std::string root) {
  while (root.size() > 1 && root.back() == '/') {
    root.pop_back();
  }
  return root;
}

}  // namespace

const char* FileTypeName(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISREG(mode)) return "a regular file";
  return "an unknown kind of file";
}

std::string FirstLinkBelow(const std::string& given_root, const std::string& path) {
  std::string root = Trimmed(given_root);
  if (path.size() <= root.size() || path.compare(0, root.size(), root) != 0 ||
      (root != "/" && path[root.size()] != '/')) {
    return "";
  }
  std::string place = root;
  size_t at = root.size();
  while (at < path.size()) {
    size_t start = path.find_first_not_of('/', at);
    if (start == std::string::npos) {
      break;
    }
    size_t end = path.find('/', start);
    if (end == std::string::npos) {
      end = path.size();
    }
    place = path.substr(0, end);
    at = end;
    std::string_view part(path.data() + start, end - start);
    if (part == "." || part == "..") {
      return "";  // not built by ferry from a listing; nothing to check below it
    }
    struct stat info;
    if (::lstat(place.c_str(), &info) != 0) {
      return "";
    }
    if (S_ISLNK(info.st_mode)) {
      return place;
    }
  }
  return "";
}

Status CheckStorePlace(const std::string& root, const std::string& path, bool want_folder) {
  std::string link = FirstLinkBelow(root, path);
  if (!link.empty()) {
    return Status::Corruption(fmt::format(
        "{}: a symbolic link inside the store; not followed (it could lead outside what was "
        "named), so what is behind it is not read",
        link));
  }
  bool is_root = Trimmed(root) == Trimmed(path);
  struct stat info;
  if ((is_root ? ::stat(path.c_str(), &info) : ::lstat(path.c_str(), &info)) != 0) {
    return FileError(path, "open", errno);
  }
  bool fits = want_folder ? S_ISDIR(info.st_mode) : S_ISREG(info.st_mode);
  if (!fits) {
    return Status::Corruption(fmt::format("{}: {} where the store's {} should be; not read", path,
                                          FileTypeName(info.st_mode),
                                          want_folder ? "folder" : "file"));
  }
  return Status::OK();
}

}  // namespace ferry
