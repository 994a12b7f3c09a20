// The checkpoints a user held before the run, as the pre-image capture needs them
// (loaders/core/pre_image_capture.h): read once per user, in one statement, instead of once
// per batch (a user's batches are one per entity and unit, about seven at the bundled mapping).
//
// Exact under the user's lock: while the run holds it nothing but this run writes the user's
// checkpoints, and a checkpoint this run wrote needs no record (its first record came earlier),
// nor one this loader recorded already in the run (the first record of each is the one before
// the run, whether or not the batch that recorded it committed).
//
// Thread safety: one loader's, used by its thread.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "base/status.h"
#include "loaders/core/loader_backend.h"

namespace ferry {

class CheckpointsBefore {
 public:
  // Forgets everything: a new run (its id differs) or a new session of the target.
  void Reset();

  // Sets *needed to whether the checkpoint of (user, entity, unit) still needs a record in run
  // `run_id`, and *stored to what it holds before the run when it does. Reads the user's
  // checkpoints when `user_id` is not the user of the last call; a user holding more than a
  // bound of them is read one checkpoint at a time (memory stays small whatever the units).
  Status Find(LoaderBackend& backend, const std::string& run_id, const std::string& user_id,
              const std::string& entity, const std::string& unit, bool* needed,
              std::optional<StoredCheckpoint>* stored);

  // The record of (user, entity, unit) is appended: later batches of it need none.
  void Recorded(const std::string& user_id, const std::string& entity, const std::string& unit);

 private:
  using Key = std::pair<std::string, std::string>;  // entity, unit

  std::string user_id_;  // whose checkpoints are held; empty: none
  bool listed_ = false;  // held_ is the user's every checkpoint
  std::map<Key, StoredCheckpoint> held_;
  std::set<Key> recorded_;  // of user_id_, by this loader in this run
};

}  // namespace ferry
