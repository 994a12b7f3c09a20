// The folder of backup archives: where it is, new archive ids, listing, the marks other parts
// of ferry leave on an archive (rolled back), and which archives `prune` may remove.
//
// Thread safety: free functions; the folder is shared with other processes, and each
// function reads it afresh.
#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "backup/backup_reader.h"
#include "base/result.h"

namespace ferry::backup {

// $XDG_DATA_HOME/ferry/backups, else ~/.local/share/ferry/backups.
std::string DefaultBackupDir();

// Creates `dir` (0700) when missing.
Status EnsureBackupDir(const std::string& dir);

// "YYYYMMDDTHHMMSSmmmZ-xxxxxx": the UTC time to the millisecond, then 6 random hex digits.
// Ids sort by time, also two made in one second (a run killed and resumed at once), whose
// order `ferry rollback` reads the run's pre-images in. (Ids made before the milliseconds were
// added, "YYYYMMDDTHHMMSSZ-xxxxxx", sort among them by their second.)
std::string NewArchiveId(std::chrono::system_clock::time_point now);

// The archive file of `id_or_path` in `dir`: a value holding '/' is a path and is taken as
// it is; an id must be letters, digits and '-' (InvalidArgument otherwise).
Result<std::string> ArchivePath(const std::string& dir, const std::string& id_or_path);

struct StoredArchive {
  std::string id;
  std::string path;
  Status status;  // why `info` could not be read; ok otherwise
  ArchiveInfo info;
  bool rolled_back = false;
};

// Every archive in `dir`, oldest first. A missing folder holds none.
Result<std::vector<StoredArchive>> ListArchives(const std::string& dir);

// Marks the archive `id` as rolled back (its run was undone): prune may remove it.
Status MarkRolledBack(const std::string& dir, const std::string& id);

struct PruneDecision {
  const StoredArchive* archive = nullptr;
  bool remove = false;
  std::string reason;
};

// Decides for each archive older than `keep_days` whether prune removes it: when its run was
// rolled back, when a newer finished archive of the same sources supersedes it, or with
// `force`. Younger archives are left out.
std::vector<PruneDecision> PlanPrune(const std::vector<StoredArchive>& archives, int keep_days,
                                     std::time_t now, bool force);

}  // namespace ferry::backup
