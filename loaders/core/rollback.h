// The parts of a rollback both targets share (Loader::RollBack): whether a later run stands in
// the way, what a killed session left out of its archive, and what the rollback does, counted.
//
// A run records a pre-image each time a batch writes a row; the first one of each row is the
// row as it was before the run (first_pre_images.h keeps it). Putting back the first of each
// address (PreImage::Address) in one transaction is exact whatever state a killed earlier
// attempt left: each one sets its row to a fixed value, so rerunning the same rollback ends in
// the same target.
//
// Each function reads the images in one pass (PreImageStream::ForEach) and keeps at most a
// chunk of them, whatever the run's size.
//
// Thread safety: the functions are pure but for the backend and stream they read.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/core/loader_backend.h"
#include "loaders/core/pre_image.h"
#include "loaders/loader.h"

namespace ferry {

// InvalidArgument naming the later run when an id-map row the run `run_id` wrote is now
// neither as the run left it (written by `run_id`) nor as it was before the run (the image):
// that later run must be rolled back first. Reads only.
Status CheckNoLaterChange(LoaderBackend& backend, const std::string& run_id,
                          PreImageStream& images);

// Adds to the fallback of `images` (after clearing it) what a killed session of run `run_id` may
// have left out of its archive (loaders/core/pre_image_capture.h flushes a batch that only
// inserts with the next one): an absent image of every id-map row and checkpoint the run wrote
// last, and of each such id-map row's row (in the table of its entity, `tables`, keyed by its
// ULID). Each was inserted by the run: the rollback deletes it, unless the archive has an image
// of it (PreImageStream::AddFallback). The id-map rows of an entity whose table is not keyed by
// its ULID alone go to *unkeyed instead: their rows cannot be found, so the archive must have
// them (CheckUnkeyedRecorded). Memory: a page of the id map (the fallback is held out of
// memory), the run's checkpoints, and *unkeyed. Reads only.
Status DeriveLostPreImages(LoaderBackend& backend, const std::string& run_id,
                           const std::vector<const TableDef*>& tables, PreImageStream* images,
                           std::vector<PreImage>* unkeyed);

// InvalidArgument naming the entity when an image of `unkeyed` has no record among `images`
// (whose fallback, from DeriveLostPreImages, holds none of them). One pass.
Status CheckUnkeyedRecorded(PreImageStream& images, const std::string& run_id,
                            const std::vector<PreImage>& unkeyed);

// What putting back `images` does, and whose users they are.
Status CountRollback(PreImageStream& images, RollbackOutcome* outcome);

// One line for the audit log and the report: "N row(s) deleted, M restored, ...".
std::string DescribeRollback(const RollbackOutcome& outcome);

}  // namespace ferry
