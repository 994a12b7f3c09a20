// The pre-images a run recorded, read back from its backup archives for `ferry rollback`.
//
// A run's archives are those whose header names the run: one per session of the run (a
// resumed run begins a new one). They are read oldest first, every chunk verified, and the
// first pre-image of each row kept (loaders/core/first_pre_images.h), once to find them and
// again on each pass of the rollback: nothing of them is held but that stream's bounded index.
// An archive a killed session left unfinished is read up to its last complete chunk: the
// pre-images of every batch that committed were flushed before it did. Any other damage stops
// the rollback.
//
// Thread safety: reads the folder afresh on each call.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backup/key_source.h"
#include "base/status.h"
#include "loaders/core/first_pre_images.h"

namespace ferry {

struct RunPreImages {
  std::vector<std::string> archives;    // ids, oldest first
  std::vector<std::string> unfinished;  // of those, the ones a killed session left
  // Reads the archives afresh on each ForEach; fails as this call would on a damage found
  // since (an archive changed or removed in between).
  std::unique_ptr<FirstPreImages> images;
};

// Finds and verifies every archive of `run_id` in `dir`. NotFound (naming the folder and
// --backup-dir) when there is none: the run was made with --no-backup, or its archives are
// elsewhere.
Status ReadRunPreImages(const std::string& dir, const std::string& run_id,
                        const backup::KeyOptions& key_options, RunPreImages* out);

// No archive and no pre-image: the images of a run that wrote nothing (run_rollback.h).
RunPreImages NoRunPreImages();

}  // namespace ferry
