#include "extractors/common/json_detect.h"

#include <sys/stat.h>

#include <optional>
#include <string_view>
#include <vector>

#include "extractors/common/file_reader.h"
#include "extractors/common/source_files.h"

namespace ferry {

namespace {

const std::vector<std::string_view> kJsonExtensions = {".json"};
const std::vector<std::string_view> kNdjsonExtensions = {".ndjson", ".jsonl"};

enum class PathType { kMissing, kFile, kFolder, kOther };

PathType TypeOf(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return PathType::kMissing;
  }
  if (S_ISREG(info.st_mode)) {
    return PathType::kFile;
  }
  return S_ISDIR(info.st_mode) ? PathType::kFolder : PathType::kOther;
}

std::string Join(const std::string& folder, const std::string& name) {
  return (!folder.empty() && folder.back() == '/') ? folder + name : folder + "/" + name;
}

}  // namespace

bool JsonSourceStartsWith(const std::string& path, char first) {
  switch (TypeOf(path)) {
    case PathType::kFile:
      return HasExtension(path, kJsonExtensions) && FirstJsonByte(path) == first;
    case PathType::kFolder:
      for (const std::string& name : MatchingFileNames(path, kJsonExtensions)) {
        if (std::optional<char> byte = FirstJsonByte(Join(path, name))) {
          return *byte == first;
        }
      }
      return false;
    default:
      return false;
  }
}

bool LooksLikeNdjsonSource(const std::string& path) {
  switch (TypeOf(path)) {
    case PathType::kFile:
      return HasExtension(path, kNdjsonExtensions);
    case PathType::kFolder:
      return MatchingFileNames(path, kJsonExtensions).empty() &&
             !MatchingFileNames(path, kNdjsonExtensions).empty();
    default:
      return false;
  }
}

}  // namespace ferry
