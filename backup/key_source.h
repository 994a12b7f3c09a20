// KeySource: where the key of a backup comes from (docs/formats/backup.md, "Keys").
//
// Writing, first match wins: --key-file, --passphrase-file, FERRY_BACKUP_KEY (64 hex digits),
// FERRY_BACKUP_PASSPHRASE, the default key file when it exists, a prompt without echo (asked
// twice) when stdin is a terminal, else a new random key written to the default key file
// (0600, in a 0700 folder) and its path reported once. Never no key: a backup is always
// encrypted, and `--no-backup` is the only way to have none.
//
// Reading follows what the archive's header says it was sealed with: a passphrase from
// --passphrase-file, FERRY_BACKUP_PASSPHRASE or a prompt; a key from --key-file,
// FERRY_BACKUP_KEY or the default key file. No message ever holds the secret.
//
// Thread safety: free functions; the environment is read, never written.
#pragma once

#include <functional>
#include <string>

#include "backup/backup_format.h"
#include "backup/secret.h"
#include "base/result.h"

namespace ferry::backup {

struct KeyOptions {
  std::string key_file;         // --key-file: 32 raw bytes, or 64 hex digits
  std::string passphrase_file;  // --passphrase-file: its first line
};

// The process's side of key resolution, replaceable in tests.
struct KeyEnvironment {
  std::function<const char*(const char*)> get_env;  // default: std::getenv
  bool interactive = false;                         // stdin and /dev/tty are a terminal
  // Reads a line from the terminal without echo; default: /dev/tty.
  std::function<Result<SecretBytes>(const std::string& prompt)> prompt;
  std::string default_key_file;  // DefaultKeyFilePath()

  // The real process: its environment, its terminal, the default key file.
  static KeyEnvironment Process();
};

// $XDG_CONFIG_HOME/ferry/backup.key, else ~/.config/ferry/backup.key.
std::string DefaultKeyFilePath();

// The key for a new archive. *generated is set to the path of a key file made just now
// (empty otherwise): the caller tells the user to keep it.
Result<KeyMaterial> ResolveKeyForWriting(const KeyOptions& options, const KeyEnvironment& env,
                                         std::string* generated);

// The key for reading an archive sealed with `kind`.
Result<KeyMaterial> ResolveKeyForReading(KeyKind kind, const KeyOptions& options,
                                         const KeyEnvironment& env);

// Reads a key file: 32 raw bytes, or 64 hex digits and an optional newline.
Result<KeyMaterial> ReadKeyFile(const std::string& path);

// Creates `path` (and its folder, 0700) holding a new random key as hex, mode 0600. Fails
// when it exists.
Result<KeyMaterial> GenerateKeyFile(const std::string& path);

}  // namespace ferry::backup
