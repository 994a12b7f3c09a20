// The options of every command that reads a run's archive (`backup *`, `validate`, and
// `rollback`): --backup-dir, --key-file and --passphrase-file, registered alike with one help
// text, so that a folder or key that works for one works for all.
//
// Thread safety: called while the command line is being declared.
#pragma once

#include <string>

#include "backup/key_source.h"

namespace CLI {
class App;
}

namespace ferry {

// Registers --backup-dir (into *backup_dir: empty means backup::DefaultBackupDir()),
// --key-file and --passphrase-file (into *key) on `cmd`.
void AddArchiveOptions(CLI::App* cmd, std::string* backup_dir, backup::KeyOptions* key);

}  // namespace ferry
