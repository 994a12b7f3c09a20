#include "backup/backup_store.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "backup/backup_format.h"
#include "base/private_file.h"

namespace ferry::backup {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRolledBackSuffix = ".rolled-back";

bool IsIdCharacter(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
}

}  // namespace

std::string DefaultBackupDir() {
  const char* data = std::getenv("XDG_DATA_HOME");
  if (data != nullptr && data[0] == '/') {
    return std::string(data) + "/ferry/backups";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/share/ferry/backups";
}

Status EnsureBackupDir(const std::string& dir) {
  std::error_code ec;
  if (fs::create_directories(dir, ec)) {
    ::chmod(dir.c_str(), 0700);  // other local users must not list the backups
  }
  if (ec) {
    return Status::IOError(dir + ": " + ec.message());
  }
  return Status::OK();
}

std::string NewArchiveId(std::chrono::system_clock::time_point now) {
  auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(since_epoch.count() / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char time[32];
  size_t n = std::strftime(time, sizeof time, "%Y%m%dT%H%M%S", &utc);
  std::snprintf(time + n, sizeof time - n, "%03dZ", static_cast<int>(since_epoch.count() % 1000));
  uint8_t random[3];
  randombytes_buf(random, sizeof random);
  char hex[7];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  return std::string(time) + "-" + hex;
}

Result<std::string> ArchivePath(const std::string& dir, const std::string& id_or_path) {
  if (id_or_path.find('/') != std::string::npos) {
    return id_or_path;
  }
  if (id_or_path.empty() || id_or_path.size() > 64 ||
      !std::all_of(id_or_path.begin(), id_or_path.end(), IsIdCharacter)) {
    return Status::InvalidArgument("not a backup id: letters, digits and '-' expected");
  }
  return dir + "/" + id_or_path + std::string(kArchiveSuffix);
}

Result<std::vector<StoredArchive>> ListArchives(const std::string& dir) {
  std::vector<StoredArchive> archives;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return archives;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() <= kArchiveSuffix.size() || !name.ends_with(kArchiveSuffix) ||
        !it->is_regular_file(ec)) {
      continue;
    }
    StoredArchive archive;
    archive.id = name.substr(0, name.size() - kArchiveSuffix.size());
    archive.path = it->path().string();
    Result<ArchiveInfo> info = PeekArchive(archive.path);
    if (info.ok()) {
      archive.info = std::move(info).value();
    } else {
      archive.status = info.status();
    }
    archive.rolled_back = fs::exists(dir + "/" + archive.id + std::string(kRolledBackSuffix));
    archives.push_back(std::move(archive));
  }
  if (ec) {
    return Status::IOError(dir + ": " + ec.message());
  }
  std::sort(archives.begin(), archives.end(),
            [](const StoredArchive& a, const StoredArchive& b) { return a.id < b.id; });
  return archives;
}

Status MarkRolledBack(const std::string& dir, const std::string& id) {
  FERRY_ASSIGN_OR_RETURN(std::string path, ArchivePath(dir, id));
  if (!fs::exists(path)) {
    return Status::NotFound("no backup " + id + " in " + dir);
  }
  CreatePrivateFileIfMissing(dir + "/" + id + std::string(kRolledBackSuffix));
  return Status::OK();
}

std::vector<PruneDecision> PlanPrune(const std::vector<StoredArchive>& archives, int keep_days,
                                     std::time_t now, bool force) {
  std::vector<PruneDecision> plan;
  auto cutoff = static_cast<uint64_t>(now) - static_cast<uint64_t>(keep_days) * 86400;
  for (size_t i = 0; i < archives.size(); ++i) {
    const StoredArchive& archive = archives[i];
    if (archive.status.ok() && archive.info.header.created_unix > cutoff) {
      continue;  // younger than --keep-days
    }
    PruneDecision decision{&archive, false, ""};
    bool superseded = false;
    for (size_t j = i + 1; j < archives.size() && archive.status.ok(); ++j) {
      const StoredArchive& later = archives[j];
      // An archive that only lists its sources (a resumed run's) holds none: it covers nothing.
      if (later.status.ok() && later.info.finished && later.info.has_summary &&
          later.info.sources_in.empty() && archive.info.has_summary &&
          later.info.source_set == archive.info.source_set) {
        superseded = true;
        decision.reason = "superseded by " + later.id;
        break;
      }
    }
    if (archive.rolled_back) {
      decision.remove = true;
      decision.reason = "its run was rolled back";
    } else if (superseded) {
      decision.remove = true;
    } else if (force) {
      decision.remove = true;
      decision.reason = "--force";
    } else {
      decision.reason = archive.status.ok()
                            ? "the way back of a run neither rolled back nor superseded "
                              "(--force removes it anyway)"
                            : "unreadable (" + archive.status.message() + "); --force removes it";
    }
    plan.push_back(std::move(decision));
  }
  // An archive holding the sources of one that stays (a resumed run's) stays with it, unless
  // --force: that one's `restore` reads them there.
  for (PruneDecision& decision : plan) {
    if (!decision.remove || force) continue;
    for (const StoredArchive& other : archives) {
      if (other.id == decision.archive->id || other.info.sources_in != decision.archive->id) {
        continue;
      }
      bool other_removed = false;
      for (const PruneDecision& d : plan) {
        if (d.archive == &other) other_removed = d.remove;
      }
      if (!other_removed) {
        decision.remove = false;
        decision.reason = "holds the sources of " + other.id + ", which is kept";
        break;
      }
    }
  }
  return plan;
}

}  // namespace ferry::backup
