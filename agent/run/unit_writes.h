// UnitWrites: the batches of one unit held back so that a small unit commits once, and the
// batch of a large unit written on another thread while the unit prepares its next.
//
// A user with a few records per entity used to cost a commit (an fsync on the server) per
// entity and one more for the unit's mark. A batch given to Add is held while the rows held
// stay under one batch's worth; the held batches are written by Flush (and by Add once they
// reach it) through Loader::WriteTogether: every entity of a small user and its unit mark in
// one transaction. Exactly once holds as for one batch: the checkpoints of all of them commit
// with their rows, or none does and a resume writes them again.
//
// When the target refuses the transaction for its data (Rejected: a constraint of the
// application's), nothing of it stayed, and the held batches are written one by one, each as
// it would have been alone (write_alone), so that the refused rows become rejects and the rest
// loads. A target that cannot write together (SQLite) gets each batch alone at once.
//
// The overlap (issue 19): a batch written alone whose write is plain (Held::plain), or the held
// batches written together, go to the writer thread, and Add or Flush returns at once, so that the
// unit reads, validates and dedupes its next batch while this one is written and committed. At most
// one batch is in flight: every call here first completes it (Complete: waits for its commit and
// gives its outcome to `finish` on the caller's thread), and so must the caller before anything
// else uses the loader or reads what the batch's outcome changes (UnitProcessor::EntityPass::Flush
// does, before its identities, lookups and classification). The writer thread touches only
// the loader and the batch; counts, rejects and parent ULIDs change on the caller's thread.
//
// Thread safety: one UnitWrites per UnitProcessor, called from one thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

class UnitWrites {
 public:
  // One batch as the unit made it.
  struct Held {
    WriteBatch batch;
    // Writes the batch in a transaction of its own, as when nothing is held.
    std::function<Result<BatchOutcome>(WriteBatch)> write_alone;
    // Takes the batch's outcome (counts, target rejects). May be empty.
    std::function<Status(BatchOutcome)> finish;
    // True when write_alone(batch), at this moment, would be Loader::Write(batch) alone, but
    // for a Rejected failure (which it then traces to the refused rows): such a batch may be
    // written on the writer thread, and write_alone runs only when that write is Rejected
    // (nothing of it committed). Empty: always written by write_alone on the caller's thread.
    std::function<bool(const WriteBatch&)> plain;
  };

  // `loader` must outlive this; `max_rows`: hold no more rows than this (one batch).
  // `overlap`: plain batches written alone go to the writer thread.
  UnitWrites(Loader* loader, size_t max_rows, bool overlap = false);
  ~UnitWrites();  // waits for the write in flight; its outcome is dropped (see Complete)
  UnitWrites(const UnitWrites&) = delete;
  UnitWrites& operator=(const UnitWrites&) = delete;

  // Holds `held`, or (when nothing can be held) writes it at once. Writes what is held when the
  // held rows reach max_rows. Fails as the write of the batch would.
  Status Add(Held held);

  // Writes every held batch, in the order they were added. Nothing is held afterwards, but the
  // last batch may still be in flight: Complete() waits for it.
  Status Flush();

  // Waits for the batch in flight, if any, and gives its outcome to its `finish`; fails as its
  // write did. Nothing is in flight afterwards.
  Status Complete();

  // Drops what is held, unwritten (the unit failed: nothing of it commits). A batch in flight
  // is waited for (it commits or not, as its write goes) and its outcome dropped: call
  // Complete() first to count it.
  void Discard();

  // How many transactions the writes have committed (for the log and tests).
  int64_t commits() const { return commits_; }

 private:
  Status WriteAlone(Held held);
  // Writes `held` on this thread and gives its outcome to its finish.
  Status WriteHere(Held held);
  // Writes `held` on the writer thread: one batch by Write, several by WriteTogether.
  void Start(std::vector<Held> held);
  // Waits until the writer thread has no batch.
  void Join();
  void WriterLoop();

  Loader* loader_;
  size_t max_rows_;
  bool overlap_;
  std::vector<Held> held_;
  size_t held_rows_ = 0;
  int64_t commits_ = 0;
  // The batches on the writer thread (their WriteBatches in in_flight_batches_ when they are
  // written together), and the write's result once joined.
  std::vector<Held> in_flight_;
  std::vector<WriteBatch> in_flight_batches_;
  std::optional<Result<std::vector<BatchOutcome>>> in_flight_result_;
  // The writer thread (started with the first batch it takes) and its hand-off: job_ is true
  // from Start until the write's result is in in_flight_result_.
  std::thread writer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool job_ = false;
  bool closing_ = false;
};

}  // namespace ferry
