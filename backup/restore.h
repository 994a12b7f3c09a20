// Restoring an archive's source files: verified first, then written byte for byte.
//
// The whole archive is read and checked before a single file is written; only the sources
// part must verify (a cut or damaged pre-image tail is reported as a warning). Every entry
// name must be relative, without "." or ".." components; no existing file is replaced
// without `force`; no link on the way to a file is followed (the files are written through
// descriptors opened with O_NOFOLLOW, below the destination). Each file is written to a
// temporary name in its folder, synced, then renamed into place: a crash leaves either the
// old file or the whole new one. Restored files are 0600 (modes are not recorded).
//
// Thread safety: free functions.
#pragma once

#include <string>
#include <vector>

#include "backup/backup_reader.h"
#include "backup/secret.h"
#include "base/status.h"

namespace ferry::backup {

struct RestoreOptions {
  std::string to;      // --to: restore under this folder; empty: each file's recorded origin
  bool force = false;  // replace existing files
};

struct RestoreOutcome {
  std::vector<std::string> written;  // the paths restored, in archive order
  std::string warning;               // what failed past the sources, when something did
};

// True when `name` is a safe relative entry name ("a/b", never "/a", "a/../b", "a//b").
bool IsSafeEntryName(const std::string& name);

// The archive that holds `archive`'s sources: itself, or the earlier archive of the same run
// its summary names (a resumed run's archive lists its sources without their bytes), in the
// same folder, once that one verified (its sources) and lists the very same files (its
// manifest's BLAKE2b-256). `visitor` sees the files of whichever holds them; *warning is set
// when `archive` verified only up to the end of its sources.
Status SourcesHolder(const std::string& archive, const KeyMaterial& key, BackupVisitor* visitor,
                     std::string* warning, std::string* holder);

Status RestoreArchive(const std::string& archive, const KeyMaterial& key,
                      const RestoreOptions& options, RestoreOutcome* outcome);

}  // namespace ferry::backup
