#include "extractors/common/source_files.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "extractors/common/file_reader.h"
#include "extractors/common/no_follow.h"

namespace fs = std::filesystem;

namespace ferry {

namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Lists the folder's matching files that are not folders, sorted by name.
Result<std::vector<std::string>> ListMatching(const std::string& folder,
                                              const std::vector<std::string_view>& extensions) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) {
    return FileError(folder, "list folder", ec.value());
  }
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || !HasExtension(name, extensions)) {
      continue;
    }
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) {
      names.push_back(std::move(name));
    }
  }
  if (ec) {
    return FileError(folder, "list folder", ec.value());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string JoinPath(const std::string& folder, const std::string& name) {
  if (!folder.empty() && folder.back() == '/') {
    return folder + name;
  }
  return folder + "/" + name;
}

}  // namespace

bool HasExtension(std::string_view path, const std::vector<std::string_view>& extensions) {
  for (std::string_view ext : extensions) {
    if (path.size() < ext.size()) {
      continue;
    }
    std::string_view tail = path.substr(path.size() - ext.size());
    if (std::equal(tail.begin(), tail.end(), ext.begin(),
                   [](char a, char b) { return LowerAscii(a) == LowerAscii(b); })) {
      return true;
    }
  }
  return false;
}

std::string FileStem(const std::string& path) { return fs::path(path).stem().string(); }

std::vector<std::string> MatchingFileNames(const std::string& folder,
                                           const std::vector<std::string_view>& extensions) {
  Result<std::vector<std::string>> names = ListMatching(folder, extensions);
  std::vector<std::string> files;
  for (std::string& name : names.ok() ? *names : std::vector<std::string>{}) {
    struct stat info;
    if (::lstat(JoinPath(folder, name).c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      files.push_back(std::move(name));
    }
  }
  return files;
}

Result<SourceFiles> ListSourceFiles(const std::string& path,
                                    const std::vector<std::string_view>& extensions) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return FileError(path, "open", errno);
  }
  SourceFiles source;
  if (S_ISREG(info.st_mode)) {
    source.files.push_back({path, static_cast<uint64_t>(info.st_size), Status::OK()});
    return source;
  }
  if (!S_ISDIR(info.st_mode)) {
    return Status::InvalidArgument(fmt::format("{}: neither a file nor a folder", path));
  }
  source.from_folder = true;
  FERRY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListMatching(path, extensions));
  if (names.empty()) {
    std::string wanted;
    for (std::string_view ext : extensions) {
      wanted += fmt::format("{}*{}", wanted.empty() ? "" : ", ", ext);
    }
    return Status::NotFound(fmt::format("{}: the folder holds no {} file", path, wanted));
  }
  for (std::string& name : names) {
    SourceFile file{JoinPath(path, name), 0, Status::OK()};
    struct stat file_info;
    if (::lstat(file.path.c_str(), &file_info) == 0) {
      if (S_ISREG(file_info.st_mode)) {
        file.size = static_cast<uint64_t>(file_info.st_size);
      } else {
        file.refused = Status::Corruption(fmt::format("{}: {} in the folder; not read", file.path,
                                                      FileTypeName(file_info.st_mode)));
      }
    }
    source.files.push_back(std::move(file));
  }
  return source;
}

}  // namespace ferry
