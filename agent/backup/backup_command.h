// `ferry backup list | create SOURCE... | verify ID | restore ID [--to DIR] [--force] |
// prune --keep-days N [--force]`: the encrypted backups of sources (docs/formats/backup.md,
// README "The way back"). Archives live in --backup-dir, else $XDG_DATA_HOME/ferry/backups,
// else ~/.local/share/ferry/backups.
//
// Thread safety: the Run* functions share no state; AddBackupCommand is called once per App.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "backup/key_source.h"

namespace CLI {
class App;
}

namespace ferry {

struct BackupOptions {
  std::string backup_dir;            // --backup-dir; empty: backup::DefaultBackupDir()
  backup::KeyOptions key;            // --key-file, --passphrase-file
  std::vector<std::string> sources;  // create
  std::string id;                    // verify, restore: an id, or a path to an archive
  std::string to;                    // restore --to
  bool force = false;                // restore, prune
  int keep_days = -1;                // prune --keep-days
};

int RunBackupList(const BackupOptions& options, std::ostream& out, std::ostream& err);
int RunBackupCreate(const BackupOptions& options, const backup::KeyEnvironment& env,
                    std::ostream& out, std::ostream& err);
int RunBackupVerify(const BackupOptions& options, const backup::KeyEnvironment& env,
                    std::ostream& out, std::ostream& err);
int RunBackupRestore(const BackupOptions& options, const backup::KeyEnvironment& env,
                     std::ostream& out, std::ostream& err);
int RunBackupPrune(const BackupOptions& options, std::ostream& out, std::ostream& err);

// Registers `backup` and its subcommands on `root`; the callbacks store the exit code.
void AddBackupCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
