// The parts of a rollback both targets share (Loader::RollBack): which pre-images to put back,
// whether a later run stands in the way, and what the rollback does, counted.
//
// A run records a pre-image each time a batch writes a row; the first one of each row is the
// row as it was before the run. Putting back the first of each address (PreImage::Address) in
// one transaction is exact whatever state a killed earlier attempt left: each one sets its row
// to a fixed value, so rerunning the same rollback ends in the same target.
//
// Thread safety: FirstPreImages is an object of one thread; the functions are pure but for the
// backend they read.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "loaders/core/loader_backend.h"
#include "loaders/core/pre_image.h"
#include "loaders/loader.h"

namespace ferry {

// Keeps the first pre-image of each address, in the order they come (memory: one address per
// row the run wrote, plus the kept images).
class FirstPreImages {
 public:
  // Keeps `image` unless one of its address came before.
  void Add(PreImage image);
  const std::vector<PreImage>& images() const { return images_; }

 private:
  std::unordered_set<std::string> seen_;
  std::vector<PreImage> images_;
};

// InvalidArgument naming the later run when an id-map row the run `run_id` wrote is now
// neither as the run left it (written by `run_id`) nor as it was before the run (the image):
// that later run must be rolled back first. Reads only.
Status CheckNoLaterChange(LoaderBackend& backend, const std::string& run_id,
                          const std::vector<PreImage>& images);

// Appends to *images what a killed session of run `run_id` may have left out of its archive
// (loaders/core/pre_image_capture.h flushes a batch that only inserts with the next one): an
// absent image of every id-map row and checkpoint the run wrote last that has none in
// *images, and of each such id-map row's row (in the table of its entity, `tables`, keyed by
// its ULID). Each was inserted by the run: the rollback deletes it. Reads only.
Status DeriveLostPreImages(LoaderBackend& backend, const std::string& run_id,
                           const std::vector<const TableDef*>& tables,
                           std::vector<PreImage>* images);

// What putting back `images` does, and whose users they are.
RollbackOutcome CountRollback(const std::vector<PreImage>& images);

// One line for the audit log and the report: "N row(s) deleted, M restored, ...".
std::string DescribeRollback(const RollbackOutcome& outcome);

}  // namespace ferry
