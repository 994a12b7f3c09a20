// The backup a migrate run makes of its sources before it writes to the target (README "The
// way back"): one encrypted archive of every source path, read back and verified before the
// run's first write. A dry run makes none; --no-backup makes none and the report says so. The
// key is had when the run is prepared (PrepareSourcesBackup: a prompt or a new key file before
// anything starts); the archive itself is made at the run's first write (agent/run/
// first_write_backup.h), so a run that writes nothing makes none.
//
// Thread safety: each called once per run, from one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "agent/run/pre_image_archive.h"
#include "agent/run/run_report.h"
#include "backup/secret.h"
#include "base/status.h"

namespace ferry {

// Where a run's archive goes and the key it is sealed with, had before the run starts.
struct SourcesBackupPlan {
  std::string dir;  // made already (0700)
  backup::KeyMaterial key;
};

// Bind: makes options.backup_dir (else the default folder) and has the key (environment, a
// prompt, or a new key file whose path it prints once). Sets *plan null and report->backup to
// the opt-out with --no-backup, null in a dry run. Fails when no key can be had.
Status PrepareSourcesBackup(const MigrateOptions& options, RunReport* report,
                            std::unique_ptr<SourcesBackupPlan>* plan);

// Backs up `paths` (the sources' resolved paths; empty ones, database URLs, are left out)
// as `plan` says under the run report->run_id, and sets report->backup to the archive's id
// and path. Fails (nothing written to the target yet) when the archive cannot be written or
// read back. The archive stays open for the run's pre-images: *archive; the run closes it
// before it records its end.
Status BackUpSources(const SourcesBackupPlan& plan, const std::vector<std::string>& paths,
                     RunReport* report, std::unique_ptr<PreImageArchive>* archive);

}  // namespace ferry
