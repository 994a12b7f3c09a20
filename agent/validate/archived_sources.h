// The sources of a recorded run as they were when it read them, for `ferry validate` when a
// source has gone or changed since (README "The way back"): the run's archive (found in the
// backup folder by the run id its header records) is verified and restored whole into a
// private temporary folder (0700, removed with this object), and the recorded source
// arguments are pointed at the restored copies.
//
// Thread safety: one thread; the folder is the object's own.
#pragma once

#include <string>
#include <vector>

#include "backup/key_source.h"
#include "base/status.h"

namespace ferry {

// True when a recorded source ("kind:/abs/path"; a database URL is never "changed") is gone,
// or the sources' fingerprint (agent/run/source_fingerprint.h) is no longer `fingerprint`.
bool SourcesChanged(const std::vector<std::string>& sources, const std::string& fingerprint);

class ArchivedSources {
 public:
  ArchivedSources() = default;
  ~ArchivedSources();
  ArchivedSources(const ArchivedSources&) = delete;
  ArchivedSources& operator=(const ArchivedSources&) = delete;

  // Restores the archive of `run_id` from `backup_dir` (empty: the default folder) with the
  // key `key`/`env` give, and rewrites each of *sources to its restored copy. NotFound when
  // the folder holds no archive of the run; the archive's own failure (a wrong key, damage)
  // otherwise; InvalidArgument when a source is not in the archive.
  Status Restore(const std::string& run_id, const std::string& backup_dir,
                 const backup::KeyOptions& key, const backup::KeyEnvironment& env,
                 std::vector<std::string>* sources);

  const std::string& archive_id() const { return archive_id_; }

 private:
  std::string folder_;  // the private copy; empty until Restore made it
  std::string archive_id_;
};

}  // namespace ferry
