// MigrateOptions: everything `ferry migrate` was told, checked before any work starts.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/run/progress.h"
#include "extractors/extractor.h"
#include "loaders/loader.h"

namespace ferry {

class UnitMarks;  // agent/run/unit_marks.h

class ConflictChooser;  // agent/run/conflict_decision.h

struct MigrateOptions {
  std::vector<std::string> sources;        // as given: "dump:PATH", "PATH", ...
  std::string target;                      // --target; empty: DATABASE_URL, else sqlite:ferry.db
  std::string mapping_file;                // --mapping; empty: the bundled taskapp mapping
  std::string user_id;                     // --user-id
  std::string user_id_from;                // --user-id-from: "filename" or "key:NAME"
  std::vector<std::string> origins;        // --origin, repeatable
  bool dry_run = false;                    // --dry-run: read the target, write nothing
  std::optional<ConflictPolicy> conflict;  // --conflict; else the mapping's, else skip
  // --conflict interactive: each conflict of an entity without a policy of its own is asked
  // at the terminal (agent/run/interactive_conflicts.h); `conflict` is then overwrite, so that
  // the target's rows are read whole.
  bool interactive = false;
  // With `interactive`: answers each conflict instead of the terminal (`ferry validate` gives
  // the decisions the run recorded, agent/validate/recorded_decisions.h); null: the terminal.
  std::shared_ptr<ConflictChooser> decisions;
  bool continue_on_error = false;    // --continue-on-error
  double max_reject_rate = 0.1;      // --max-reject-rate, with --continue-on-error
  int batch_size = 1000;             // --batch-size: rows per transaction (the CLI's
                                     // default is per target: DefaultBatchSize)
  std::vector<std::string> include;  // --include: only these entities
  std::vector<std::string> exclude;  // --exclude: not these entities
  bool strict_unicode = false;       // --strict-unicode: text with U+FFFD is a reject
  std::string report_file;           // --report FILE (JSON)
  std::string report_html_file;      // --report FILE.html (agent/report/html_report.h)
  std::string rejects_file;          // --rejects FILE (NDJSON); default beside the run
  ProgressMode progress = ProgressMode::kAuto;
  int jobs = 0;                  // --jobs: units loaded at once, each by a worker; 0:
                                 // chosen by the run (DefaultJobs in migration.cc)
  bool restart = false;          // --restart: do not resume an interrupted run
  bool rescan = false;           // --rescan: read every unit, even one unchanged since a run
                                 // loaded it whole (agent/run/unit_digest.h)
  int retries = 8;               // --retries: attempts after a transient failure
  double retry_max_wait_s = 30;  // --retry-max-wait: the longest single wait
  std::string command_line;      // for ferry_runs; holds no secret
  // --max-value-bytes: a longer value is damage (docs/design.md, "Memory")
  uint64_t max_value_bytes = kDefaultMaxValueBytes;
  bool no_backup = false;  // --no-backup: no archive of the sources (the report says so)
  std::string backup_dir;  // --backup-dir; empty: backup::DefaultBackupDir()
  // Set by the run, not a flag: the interrupted run this one resumes (its id is this run's),
  // whose committed batches are passed over by their checkpoints; empty for a fresh run.
  std::string resuming_run;
  // Set by the run, not a flag; null where no unit may be skipped: true while the last unit
  // loaded was found unchanged by its mark, when the next unit's keys are likely all the run
  // needs of it (Extractor::SetDeferValues). Shared by the run's workers.
  std::shared_ptr<std::atomic<bool>> keys_suffice;
  // Set by the run, not a flag; null where no unit may be skipped: the marks of the sources'
  // units, read a chunk at a time (agent/run/unit_marks.h). Shared by the run's workers.
  std::shared_ptr<UnitMarks> unit_marks;
};

}  // namespace ferry
