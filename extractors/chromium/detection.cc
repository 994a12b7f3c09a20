#include "extractors/chromium/detection.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "extractors/chromium/chromium_format.h"
#include "extractors/common/no_follow.h"

namespace ferry {

namespace chromium {

namespace {

namespace fs = std::filesystem;

bool IsDir(const fs::path& path) {
  std::error_code ignored;
  return fs::is_directory(path, ignored);
}

bool IsFile(const fs::path& path) {
  std::error_code ignored;
  return fs::is_regular_file(path, ignored);
}

bool EndsWith(const std::string& name, std::string_view suffix) {
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// True when `dir` holds CURRENT or a MANIFEST-* file, or (when `loose`) a table or log.
bool LooksLikeLevelDb(const fs::path& dir, bool loose) {
  if (IsFile(dir / kCurrentFile)) {
    return true;
  }
  std::error_code error;
  for (fs::directory_iterator it(dir, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    std::string name = it->path().filename().string();
    if (name.rfind(kManifestPrefix, 0) == 0 ||
        (loose && (EndsWith(name, kTableSuffix) || EndsWith(name, kLogSuffix) ||
                   EndsWith(name, kOldTableSuffix)))) {
      return true;
    }
  }
  return false;
}

fs::path StoreOf(const fs::path& profile) { return profile / kLocalStorageDir / kLevelDbDir; }

// The folder as the user wrote it, without trailing slashes ("/" stays "/").
std::string Trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

enum class FolderKind { kNone, kLevelDb, kProfile, kUserData };

FolderKind KindOf(const fs::path& path, bool loose) {
  if (!IsDir(path)) {
    return FolderKind::kNone;
  }
  if (IsDir(StoreOf(path))) {
    return FolderKind::kProfile;
  }
  if (IsFile(path / kLocalStateFile)) {
    return FolderKind::kUserData;
  }
  if (LooksLikeLevelDb(path, loose)) {
    return FolderKind::kLevelDb;
  }
  return FolderKind::kNone;
}

// The stores as found when links are followed; FindStores then refuses those behind a link.
Result<std::vector<StoreLocation>> FindStoresFollowing(const std::string& given) {
  std::string path = Trimmed(given);
  std::error_code error;
  if (!fs::exists(path, error)) {
    return Status::NotFound(fmt::format("source {} does not exist", given));
  }
  std::vector<StoreLocation> stores;
  switch (KindOf(path, /*loose=*/true)) {
    case FolderKind::kLevelDb: {
      // ".../<profile>/Local Storage/leveldb": the profile is the unit.
      fs::path folder(path);
      bool in_profile =
          folder.filename() == kLevelDbDir && folder.parent_path().filename() == kLocalStorageDir;
      stores.push_back(
          {in_profile ? folder.parent_path().parent_path().string() : path, path, Status::OK()});
      return stores;
    }
    case FolderKind::kProfile:
      stores.push_back({path, StoreOf(path).string(), Status::OK()});
      return stores;
    case FolderKind::kUserData: {
      std::vector<std::string> profiles;
      for (fs::directory_iterator it(path, error); !error && it != fs::directory_iterator();
           it.increment(error)) {
        if (IsDir(StoreOf(it->path()))) {
          profiles.push_back(it->path().filename().string());
        }
      }
      std::sort(profiles.begin(), profiles.end());
      for (const std::string& profile : profiles) {
        std::string folder = path + "/" + profile;
        stores.push_back({folder, StoreOf(folder).string(), Status::OK()});
      }
      if (stores.empty()) {
        return Status::NotFound(
            fmt::format("{} is a Chromium user-data folder, but no profile in it has \"{}/{}\"",
                        given, kLocalStorageDir, kLevelDbDir));
      }
      return stores;
    }
    case FolderKind::kNone:
      break;
  }
  return Status::InvalidArgument(fmt::format(
      "{} is not a Chromium store: expected a \"{}/{}\" folder (with CURRENT and MANIFEST-*), "
      "a profile folder holding one, or a user-data folder (with \"{}\")",
      given, kLocalStorageDir, kLevelDbDir, kLocalStateFile));
}

}  // namespace

Result<std::vector<StoreLocation>> FindStores(const std::string& given) {
  Result<std::vector<StoreLocation>> stores = FindStoresFollowing(given);
  if (stores.ok()) {
    std::string root = Trimmed(given);
    for (StoreLocation& store : *stores) {
      store.refused = CheckStorePlace(root, store.leveldb_dir, /*want_folder=*/true);
    }
  }
  return stores;
}

}  // namespace chromium

bool DetectChromium(const std::string& path) {
  return chromium::KindOf(chromium::Trimmed(path), /*loose=*/false) != chromium::FolderKind::kNone;
}

}  // namespace ferry
