// What `ferry rollback` asks of a target and what it gets back (Loader::RollBack), and the
// stream of pre-images it puts back (docs/design.md, "Rollback").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/row.h"
#include "base/status.h"

namespace ferry {

struct PreImage;  // loaders/core/pre_image.h

// The pre-images a rollback puts back, streamed: a run's images need not fit in memory
// (loaders/core/first_pre_images.h reads them from the run's archives).
class PreImageStream {
 public:
  PreImageStream() = default;
  PreImageStream(const PreImageStream&) = delete;
  PreImageStream& operator=(const PreImageStream&) = delete;
  virtual ~PreImageStream() = default;

  // Calls `visit` with the first image the run recorded of each address (PreImage::Address),
  // and with each fallback image (AddFallback) of an address the run recorded none of, in no
  // set order (images of one entity and user, or of one table, come together). Stops at and
  // returns the first failure, the stream's own or visit's. Reads everything afresh on each
  // call, so it may be called again (another pass, a retried transaction).
  virtual Status ForEach(const std::function<Status(const PreImage&)>& visit) = 0;

  // Adds a fallback image: what ForEach gives for its address when the run's records lack one.
  // They may be as many as the run's rows (a killed run's id map): held out of memory. Fails
  // as the store holding them does.
  virtual Status AddFallback(const PreImage& image) = 0;
  // Removes every fallback image.
  virtual void ClearFallback() = 0;
};

// What `ferry rollback` asks of a target (Loader::RollBack).
struct RollbackRequest {
  std::string run_id;                   // the run to undo
  std::vector<const TableDef*> tables;  // the run's mapping tables
  // The first pre-image the run recorded of each row, id-map row and checkpoint it wrote,
  // every row's table among `tables`. Not owned; RollBack replaces its fallback (derive_lost).
  PreImageStream* images = nullptr;
  bool dry_run = false;  // check and count only
  // An archive of the run was left unfinished by a killed session: also delete the id-map rows
  // and checkpoints the run inserted without a pre-image on disk (DeriveLostPreImages,
  // loaders/core/rollback.h). The rows it inserted keyed by their id-map ULIDs are derived on
  // every rollback: the archive holds no record of them.
  bool derive_lost = false;
  // The runs begun after run_id that are not rolled back, newest first: one that wrote a batch
  // of a user of run_id's stands in the way (CheckNoLaterLoad, loaders/core/rollback.h).
  std::vector<std::string> later_runs = {};
};

// What a rollback did (or, in a dry run, would do).
struct RollbackOutcome {
  int64_t rows_deleted = 0;   // rows the run inserted
  int64_t rows_restored = 0;  // rows it changed, put back as they were
  int64_t identities_deleted = 0, identities_restored = 0;
  int64_t checkpoints_deleted = 0, checkpoints_restored = 0;
  std::vector<std::string> users;  // whose locks it took
};

// The run status a rollback records (RunRecord::status).
inline constexpr char kRolledBackStatus[] = "rolled_back";

}  // namespace ferry
