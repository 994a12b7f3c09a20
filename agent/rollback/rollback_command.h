// `ferry rollback --run ID | --before TIMESTAMP [--dry-run]`: undoes runs with the pre-images
// their backups hold (docs/design.md, "Rollback"): deletes the rows a run inserted, puts back
// the rows it changed, its id-map rows and checkpoints, and records the run as rolled_back.
// With --before, every run begun at or after TIMESTAMP, newest first.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "backup/key_source.h"

namespace ferry {

struct RollbackOptions {
  std::string target;      // --target; empty: DATABASE_URL, else sqlite:ferry.db
  std::string run_id;      // --run
  std::string before;      // --before: RFC 3339, UTC ("2026-12-06T15:00:00Z")
  bool dry_run = false;    // --dry-run: says what it would do, writes nothing
  std::string backup_dir;  // --backup-dir; empty: backup::DefaultBackupDir()
  backup::KeyOptions key;  // --key-file, --passphrase-file
};

// Rolls back; prints what it did (or would do) on `out`, failures on `err`. Returns the exit
// code: 0 done (or nothing to do), 1 failed, 2 usage (no such run, no backup, a later run in
// the way), 4 a run holds a user's lock.
int RunRollback(const RollbackOptions& options, std::ostream& out, std::ostream& err);

// Registers `rollback` on the root command; when it runs, *exit_code gets its code.
void AddRollbackCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
