// The backup a migrate run makes of its sources before it writes to the target (README "The
// way back"): one encrypted archive of every source path, read back and verified before the
// run goes on. A dry run makes none; --no-backup makes none and the report says so.
//
// Thread safety: called once per run, from the run's thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "agent/run/pre_image_archive.h"
#include "agent/run/run_report.h"
#include "base/status.h"

namespace ferry {

// Backs up `paths` (the sources' resolved paths; empty ones, database URLs, are left out)
// into options.backup_dir (else the default folder) under the run report->run_id, and sets
// report->backup to the archive's id and path, or to the opt-out. Fails (nothing written to
// the target yet) when no key can be had or the archive cannot be written or read back.
// The archive stays open for the run's pre-images: *archive (left null without a backup);
// the run closes it before it records its end.
Status BackUpSources(const MigrateOptions& options, const std::vector<std::string>& paths,
                     RunReport* report, std::unique_ptr<PreImageArchive>* archive);

}  // namespace ferry
