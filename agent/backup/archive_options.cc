#include "agent/backup/archive_options.h"

#include <CLI/CLI.hpp>

namespace ferry {

void AddArchiveOptions(CLI::App* cmd, std::string* backup_dir, backup::KeyOptions* key) {
  cmd->add_option("--backup-dir", *backup_dir,
                  "The folder of the archives; default: $XDG_DATA_HOME/ferry/backups, else "
                  "~/.local/share/ferry/backups");
  cmd->add_option("--key-file", key->key_file,
                  "A key file (64 hex digits, or 32 bytes); default for reading and writing: "
                  "$XDG_CONFIG_HOME/ferry/backup.key (else ~/.config/ferry/backup.key), made "
                  "on first use when no key or passphrase is given and stdin is no terminal");
  cmd->add_option("--passphrase-file", key->passphrase_file,
                  "A file whose first line is the passphrase (Argon2id). Or set "
                  "FERRY_BACKUP_PASSPHRASE, or FERRY_BACKUP_KEY (64 hex digits); on a "
                  "terminal without any, ferry asks");
}

}  // namespace ferry
