// Whether a resumed run's sources are, byte for byte, those its earlier archive holds: then
// the resumed run's archive lists them and names that archive instead of holding them again
// (docs/formats/backup.md, "The backup a migrate run makes"). Hashing the sources is far
// cheaper than compressing, sealing and reading them back.
//
// Thread safety: free function; hashes on two threads of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backup/backup_reader.h"
#include "backup/secret.h"

namespace ferry {

struct EarlierArchive {
  std::string id;                           // in the same folder
  std::vector<backup::ArchivedFile> files;  // as it lists them: the new manifest's entries
};

// The oldest archive of run `run_id` in `dir` that holds its sources itself (a complete
// sources segment, authenticated under `key`: its MAC and every frame's tag), when the files
// under `paths` (empty ones left out, as BackUpSources does) are exactly its files: the same
// sources (the summary's source set), the same origins, and each the same size and
// BLAKE2b-256. Otherwise nullopt, and *why says what differed (or could not be read): the run
// then archives its sources whole, as a first run does.
std::optional<EarlierArchive> FindEarlierArchive(const std::string& dir,
                                                 const backup::KeyMaterial& key,
                                                 const std::string& run_id,
                                                 const std::vector<std::string>& paths,
                                                 std::string* why);

}  // namespace ferry
