// FirstWriteBackup: the run's backup archive, made when the run first writes to the target
// (issue 17: the way back; docs/formats/backup.md, "The backup a migrate run makes").
//
// The key is had when the run is prepared (PrepareSourcesBackup: bind before work); the
// archive of the sources is made, synced and read back by the first unit about to write (its
// first batch, id-map row, checkpoint or mark), then recorded on the run's row and in its audit
// log, and only then does that write go. Every other writer waits for it; a failure stops each
// of them before it writes, and the run. A run whose units all turn out to need no write (a
// rerun over unchanged sources) makes none: the report says "none (nothing written)".
//
// It is also the run's PreImageSink (RunInfo::pre_images): a pre-image comes only from a write,
// hence after the archive is made.
//
// Thread safety: every method may be called from any thread; Close from one, after them.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/run/pre_image_archive.h"
#include "agent/run/run_report.h"
#include "agent/run/sources_backup.h"
#include "loaders/loader.h"

namespace ferry {

class FirstWriteBackup final : public PreImageSink {
 public:
  // `paths`: the sources' resolved paths (sources_backup.h). `report` outlives this; its
  // backup fields are set when the archive is made.
  FirstWriteBackup(std::unique_ptr<SourcesBackupPlan> plan, std::vector<std::string> paths,
                   RunReport* report);
  FirstWriteBackup(const FirstWriteBackup&) = delete;
  FirstWriteBackup& operator=(const FirstWriteBackup&) = delete;

  // Makes the archive on the first call and records it with `recorder` (the calling worker's
  // loader, whose run is begun); later calls wait for the first and return its outcome.
  Status BeforeWrite(Loader* recorder);

  // Whether the archive was made.
  bool made() const;

  Status Append(std::string_view record) override;
  Status Flush() override;

  // Finishes the archive, when one was made (PreImageArchive::Close). Once only.
  Status Close();

 private:
  mutable std::mutex mutex_;
  std::unique_ptr<SourcesBackupPlan> plan_;
  std::vector<std::string> paths_;
  RunReport* report_;
  bool tried_ = false;
  Status outcome_;
  std::unique_ptr<PreImageArchive> archive_;  // null until made
};

// Wraps `inner` so that each Write and WriteTogether first passes backup->BeforeWrite(inner)
// (and the fault point "run.before_first_write"); every other call is passed on as it is.
// `backup` outlives the loader. Never null.
std::unique_ptr<Loader> GateWritesOnBackup(std::unique_ptr<Loader> inner, FirstWriteBackup* backup);

}  // namespace ferry
