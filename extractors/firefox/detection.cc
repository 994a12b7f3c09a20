#include "extractors/firefox/detection.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "extractors/common/no_follow.h"
#include "extractors/firefox/firefox_format.h"

namespace ferry {

namespace firefox {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProfilesIni = "profiles.ini";

// Folders are found following links; FindProfiles then refuses the stores behind one below
// the path given (RefuseLinked), which is reported rather than looking like no store.
bool IsDir(const fs::path& path) {
  std::error_code ignored;
  return fs::is_directory(path, ignored);
}

// A file is not followed: the copy would not follow it either.
bool IsFile(const fs::path& path) {
  std::error_code ignored;
  return fs::is_regular_file(fs::symlink_status(path, ignored));
}

// Something (a file, link, FIFO, ...) is at `path`: a store file to read or to refuse.
bool Present(const fs::path& path) {
  std::error_code ignored;
  return fs::exists(fs::symlink_status(path, ignored));
}

std::string Trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

bool IsProfile(const fs::path& dir) {
  return IsDir(dir / kStorageDir / kDefaultDir) || Present(dir / kWebappsFile) ||
         Present(dir / kStorageDir / kArchiveFile);
}

// A data.sqlite inside ".../storage/default/<origin>/ls/": its profile folder, else "".
std::string ProfileOfDataFile(const fs::path& file) {
  fs::path ls = file.parent_path();
  fs::path default_dir = ls.parent_path().parent_path();
  if (ls.filename() == kLsDir && default_dir.filename() == kDefaultDir &&
      default_dir.parent_path().filename() == kStorageDir) {
    return default_dir.parent_path().parent_path().string();
  }
  return "";
}

ProfileStores ProfileOf(const fs::path& dir) {
  ProfileStores stores;
  stores.unit = dir.string();
  std::vector<std::string> origins;
  std::error_code error;
  fs::path default_dir = dir / kStorageDir / kDefaultDir;
  for (fs::directory_iterator it(default_dir, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    if (Present(it->path() / kLsDir / kDataFile)) {
      origins.push_back(it->path().filename().string());
    }
  }
  std::sort(origins.begin(), origins.end());
  for (const std::string& origin : origins) {
    stores.data_files.push_back((default_dir / origin / kLsDir / kDataFile).string());
  }
  if (Present(dir / kStorageDir / kArchiveFile)) {
    stores.archive_file = (dir / kStorageDir / kArchiveFile).string();
  }
  if (Present(dir / kWebappsFile)) {
    stores.webapps_file = (dir / kWebappsFile).string();
  }
  stores.newer_store_beside = IsDir(default_dir);
  return stores;
}

// A single database file given by itself.
ProfileStores FileStores(const fs::path& file) {
  ProfileStores stores;
  std::string name = file.filename().string();
  fs::path parent = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (name == kWebappsFile) {
    stores.unit = parent.string();
    stores.webapps_file = file.string();
    stores.newer_store_beside = IsDir(parent / kStorageDir / kDefaultDir);
  } else if (name == kArchiveFile) {
    stores.unit = parent.filename() == kStorageDir ? parent.parent_path().string() : file.string();
    stores.archive_file = file.string();
  } else {
    std::string profile = ProfileOfDataFile(file);
    stores.unit = profile.empty() ? file.string() : profile;
    stores.data_files.push_back(file.string());
  }
  return stores;
}

enum class PathKind { kNone, kProfiles, kProfile, kOriginFolder, kLsFolder, kFile };

PathKind KindOf(const fs::path& path, bool loose) {
  if (IsFile(path)) {
    std::string name = path.filename().string();
    bool known = name == kWebappsFile || name == kArchiveFile ||
                 (name == kDataFile && path.parent_path().filename() == kLsDir);
    return known || loose ? PathKind::kFile : PathKind::kNone;
  }
  if (!IsDir(path)) {
    return PathKind::kNone;
  }
  if (Present(path / kDataFile)) {
    return PathKind::kLsFolder;
  }
  if (Present(path / kLsDir / kDataFile)) {
    return PathKind::kOriginFolder;
  }
  if (IsProfile(path)) {
    return PathKind::kProfile;
  }
  if (IsFile(path / kProfilesIni)) {
    return PathKind::kProfiles;
  }
  return PathKind::kNone;
}

}  // namespace

std::string OriginFolderOf(const std::string& data_file) {
  fs::path ls = fs::path(data_file).parent_path();
  return ls.filename() == kLsDir ? ls.parent_path().filename().string() : "";
}

namespace {

// Moves the store files of `stores` that cannot be read without following a link below
// `root` (or are no regular file) to stores->refused.
void RefuseLinked(const std::string& root, ProfileStores* stores) {
  auto keep = [&root, stores](const std::string& file) {
    Status place = CheckStorePlace(root, file, /*want_folder=*/false);
    if (!place.ok() && !place.IsNotFound()) {
      // One linked folder (storage/default, a profile) hides many stores: reported once.
      bool known =
          std::any_of(stores->refused.begin(), stores->refused.end(),
                      [&place](const Status& s) { return s.message() == place.message(); });
      if (!known) stores->refused.push_back(place);
      return false;
    }
    return true;
  };
  std::vector<std::string> data_files;
  for (std::string& file : stores->data_files) {
    if (keep(file)) {
      data_files.push_back(std::move(file));
    }
  }
  stores->data_files = std::move(data_files);
  if (!stores->archive_file.empty() && !keep(stores->archive_file)) {
    stores->archive_file.clear();
  }
  if (!stores->webapps_file.empty() && !keep(stores->webapps_file)) {
    stores->webapps_file.clear();
  }
}

// The profiles as found when links are followed; FindProfiles then refuses what is behind one.
Result<std::vector<ProfileStores>> FindProfilesFollowing(const std::string& given) {
  fs::path path(Trimmed(given));
  std::error_code error;
  if (!fs::exists(fs::symlink_status(path, error))) {
    return Status::NotFound(fmt::format("source {} does not exist", given));
  }
  std::vector<ProfileStores> profiles;
  switch (KindOf(path, /*loose=*/true)) {
    case PathKind::kFile:
      profiles.push_back(FileStores(path));
      return profiles;
    case PathKind::kLsFolder:
      profiles.push_back(FileStores(path / kDataFile));
      return profiles;
    case PathKind::kOriginFolder:
      profiles.push_back(FileStores(path / kLsDir / kDataFile));
      return profiles;
    case PathKind::kProfile:
      profiles.push_back(ProfileOf(path));
      return profiles;
    case PathKind::kProfiles: {
      std::vector<fs::path> dirs;
      for (fs::directory_iterator it(path, error); !error && it != fs::directory_iterator();
           it.increment(error)) {
        if (IsProfile(it->path())) {
          dirs.push_back(it->path());
        }
      }
      std::sort(dirs.begin(), dirs.end());
      for (const fs::path& dir : dirs) {
        profiles.push_back(ProfileOf(dir));
      }
      if (profiles.empty()) {
        return Status::NotFound(fmt::format(
            "{} holds profiles.ini, but no profile folder in it has \"{}/{}\" or \"{}\"", given,
            kStorageDir, kDefaultDir, kWebappsFile));
      }
      return profiles;
    }
    case PathKind::kNone:
      break;
  }
  return Status::InvalidArgument(fmt::format(
      "{} is not a Firefox localStorage store: expected a profile folder (with \"{}/{}\" or "
      "\"{}\"), an origin folder or its \"{}\" folder, or a {}, {} or {} file",
      given, kStorageDir, kDefaultDir, kWebappsFile, kLsDir, kDataFile, kWebappsFile,
      kArchiveFile));
}

}  // namespace

Result<std::vector<ProfileStores>> FindProfiles(const std::string& given) {
  Result<std::vector<ProfileStores>> profiles = FindProfilesFollowing(given);
  if (profiles.ok()) {
    for (ProfileStores& profile : *profiles) {
      RefuseLinked(Trimmed(given), &profile);
    }
  }
  return profiles;
}

}  // namespace firefox

bool DetectFirefox(const std::string& path) {
  return firefox::KindOf(firefox::Trimmed(path), /*loose=*/false) != firefox::PathKind::kNone;
}

}  // namespace ferry
