#include "agent/run/unit_writes.h"

#include <utility>

namespace ferry {

UnitWrites::UnitWrites(Loader* loader, size_t max_rows) : loader_(loader), max_rows_(max_rows) {}

Status UnitWrites::WriteAlone(Held* held) {
  FERRY_ASSIGN_OR_RETURN(BatchOutcome outcome, held->write_alone(std::move(held->batch)));
  ++commits_;
  return held->finish ? held->finish(std::move(outcome)) : Status::OK();
}

Status UnitWrites::Add(Held held) {
  if (!loader_->CanWriteTogether()) return WriteAlone(&held);
  held_rows_ += held.batch.rows.size();
  held_.push_back(std::move(held));
  if (held_rows_ >= max_rows_) return Flush();
  return Status::OK();
}

Status UnitWrites::Flush() {
  std::vector<Held> held = std::move(held_);
  Discard();
  if (held.empty()) return Status::OK();
  if (held.size() > 1) {
    std::vector<WriteBatch> batches;
    batches.reserve(held.size());
    for (Held& one : held) batches.push_back(std::move(one.batch));
    Result<std::vector<BatchOutcome>> written = loader_->WriteTogether(batches);
    if (written.ok()) {
      ++commits_;
      for (size_t i = 0; i < held.size(); ++i) {
        if (held[i].finish) FERRY_RETURN_IF_ERROR(held[i].finish(std::move((*written)[i])));
      }
      return Status::OK();
    }
    if (!written.status().IsRejected()) return written.status();
    // Refused for its data: nothing committed; each batch alone finds the rows refused.
    for (size_t i = 0; i < held.size(); ++i) held[i].batch = std::move(batches[i]);
  }
  for (Held& one : held) FERRY_RETURN_IF_ERROR(WriteAlone(&one));
  return Status::OK();
}

}  // namespace ferry
