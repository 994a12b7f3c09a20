// SourceFingerprint: what a source looked like when a run read it, so that a resumed run can
// tell whether its checkpoints still describe the source.
//
// The fingerprint hashes each source's resolved path (absolute, symlinks followed: the same
// file spelled `dumps/u.json` or `/abs/dumps/u.json` is one source) and, for every file under
// it (a file, or a folder walked recursively, in name order): its path relative to the source,
// its size and its modification time in nanoseconds (LevelDB's LOCK, LOG and LOG.old, which a
// browser rewrites on merely opening a store, are left out). A source that is one file of at
// most 64 MiB is hashed by content too. A folder's files are not read, which keeps it cheap on
// a multi-GB store; there a change that keeps size and mtime (a deliberate touch -r) goes
// unnoticed, which docs/reliability.md says. A browser that keeps writing to a live store changes
// it; resuming then needs --restart, which is what a user wants to decide.
//
// Thread safety: a pure function of the file system.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "extractors/extractor.h"

namespace ferry {

// The fingerprint of these source paths (16 hex digits). IOError naming the path when one
// cannot be read; a database URL (no path) contributes only its text.
Result<std::string> SourceFingerprint(const std::vector<std::string>& paths);

// What SourceFingerprint takes for one source that `opened` (its extractor, Open() done)
// reads: its path; for a database URL, the URL with its password removed (a changed password
// is the same source) and the extractor's ContentDigest() (tables, row counts, a hash of the
// rows in the snapshot read), so that a changed database refuses a resume as a changed file
// does.
std::string FingerprintInput(const SourceSpec& spec, const Extractor& opened);

}  // namespace ferry
