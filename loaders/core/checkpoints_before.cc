#include "loaders/core/checkpoints_before.h"

#include <vector>

namespace ferry {

namespace {

// A user's checkpoints held at most: more (a user of that many units and entities) are read
// one at a time instead, as before.
constexpr size_t kMaxHeld = 4096;

}  // namespace

void CheckpointsBefore::Reset() {
  user_id_.clear();
  listed_ = false;
  held_.clear();
  recorded_.clear();
}

Status CheckpointsBefore::Find(LoaderBackend& backend, const std::string& run_id,
                               const std::string& user_id, const std::string& entity,
                               const std::string& unit, bool* needed,
                               std::optional<StoredCheckpoint>* stored) {
  stored->reset();
  *needed = false;
  if (user_id != user_id_ || user_id_.empty()) {
    Reset();
    user_id_ = user_id;
    std::vector<CheckpointRecord> records;
    bool complete = false;
    FERRY_RETURN_IF_ERROR(backend.ListUserCheckpoints(user_id, kMaxHeld, &records, &complete));
    listed_ = complete;
    if (listed_) {
      for (CheckpointRecord& record : records) {
        held_[{record.entity, record.unit}] =
            StoredCheckpoint{std::move(record.run_id), record.position};
      }
    }
  }
  const Key key{entity, unit};
  if (recorded_.count(key) != 0) return Status::OK();
  if (listed_) {
    auto found = held_.find(key);
    if (found != held_.end()) *stored = found->second;
  } else {
    FERRY_RETURN_IF_ERROR(backend.ReadCheckpoint(user_id, entity, unit, stored));
  }
  *needed = !(*stored && (*stored)->run_id == run_id);  // the run's own: recorded earlier
  return Status::OK();
}

void CheckpointsBefore::Recorded(const std::string& user_id, const std::string& entity,
                                 const std::string& unit) {
  if (user_id == user_id_) recorded_.insert({entity, unit});
}

}  // namespace ferry
