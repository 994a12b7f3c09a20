#include "agent/run/unit_writes.h"

#include <utility>

namespace ferry {

UnitWrites::UnitWrites(Loader* loader, size_t max_rows, bool overlap)
    : loader_(loader), max_rows_(max_rows), overlap_(overlap) {}

UnitWrites::~UnitWrites() {
  Join();
  if (!writer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void UnitWrites::Join() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [this] { return !job_; });
}

void UnitWrites::WriterLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return job_ || closing_; });
    if (!job_) return;  // closing, nothing left
    lock.unlock();
    Result<std::vector<BatchOutcome>> written = Status::OK();
    if (in_flight_.size() > 1) {
      written = loader_->WriteTogether(in_flight_batches_);
    } else {
      Result<BatchOutcome> one = loader_->Write(in_flight_[0].batch);
      written = one.ok() ? Result<std::vector<BatchOutcome>>(std::vector<BatchOutcome>{*one})
                         : Result<std::vector<BatchOutcome>>(one.status());
    }
    lock.lock();
    in_flight_result_ = std::move(written);
    job_ = false;
    wake_.notify_all();
  }
}

Status UnitWrites::Complete() {
  Join();
  if (in_flight_.empty()) return Status::OK();
  std::vector<Held> held = std::move(in_flight_);
  in_flight_.clear();
  Result<std::vector<BatchOutcome>> written = std::move(*in_flight_result_);
  in_flight_result_.reset();
  if (held.size() > 1) {
    for (size_t i = 0; i < held.size(); ++i) held[i].batch = std::move(in_flight_batches_[i]);
    in_flight_batches_.clear();
  }
  if (!written.ok()) {
    if (!written.status().IsRejected()) return written.status();
    // Refused for its data, nothing of it committed: each batch written again as the caller's
    // thread would have, which finds the refused rows (or fails as this write did).
    if (held.size() == 1) return WriteHere(std::move(held[0]));
    for (Held& one : held) FERRY_RETURN_IF_ERROR(WriteAlone(std::move(one)));
    return Complete();  // the last of them may have gone to the writer thread
  }
  ++commits_;
  for (size_t i = 0; i < held.size(); ++i) {
    if (held[i].finish) FERRY_RETURN_IF_ERROR(held[i].finish(std::move((*written)[i])));
  }
  return Status::OK();
}

void UnitWrites::Discard() {
  Join();
  in_flight_.clear();
  in_flight_batches_.clear();
  in_flight_result_.reset();
  held_.clear();
  held_rows_ = 0;
}

void UnitWrites::Start(std::vector<Held> held) {
  in_flight_ = std::move(held);
  if (in_flight_.size() > 1) {
    for (Held& one : in_flight_) in_flight_batches_.push_back(std::move(one.batch));
  }
  // One thread for the unit, woken per batch: a thread made per batch waited behind every
  // other runnable task on a loaded machine before its write began (a new task starts last in
  // the scheduler's queue; a woken one does not).
  if (!writer_.joinable()) writer_ = std::thread([this] { WriterLoop(); });
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = true;
  }
  wake_.notify_all();
}

Status UnitWrites::WriteAlone(Held held) {
  FERRY_RETURN_IF_ERROR(Complete());  // one write in flight at most, in order
  if (overlap_ && held.plain && held.plain(held.batch)) {
    std::vector<Held> one;
    one.push_back(std::move(held));
    Start(std::move(one));
    return Status::OK();
  }
  return WriteHere(std::move(held));
}

Status UnitWrites::WriteHere(Held held) {
  FERRY_ASSIGN_OR_RETURN(BatchOutcome outcome, held.write_alone(std::move(held.batch)));
  ++commits_;
  return held.finish ? held.finish(std::move(outcome)) : Status::OK();
}

Status UnitWrites::Add(Held held) {
  FERRY_RETURN_IF_ERROR(Complete());
  if (!loader_->CanWriteTogether()) return WriteAlone(std::move(held));
  held_rows_ += held.batch.rows.size();
  held_.push_back(std::move(held));
  if (held_rows_ >= max_rows_) return Flush();
  return Status::OK();
}

Status UnitWrites::Flush() {
  FERRY_RETURN_IF_ERROR(Complete());
  std::vector<Held> held = std::move(held_);
  held_.clear();
  held_rows_ = 0;
  if (held.empty()) return Status::OK();
  if (held.size() > 1 && overlap_) {
    Start(std::move(held));  // together, on the writer thread
    return Status::OK();
  }
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
  for (Held& one : held) FERRY_RETURN_IF_ERROR(WriteAlone(std::move(one)));
  return Status::OK();
}

}  // namespace ferry
