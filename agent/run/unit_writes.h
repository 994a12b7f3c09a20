// UnitWrites: the batches of one unit held back so that a small unit commits once.
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
// Thread safety: one UnitWrites per UnitProcessor.
#pragma once

#include <cstddef>
#include <functional>
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
  };

  // `loader` must outlive this; `max_rows`: hold no more rows than this (one batch).
  UnitWrites(Loader* loader, size_t max_rows);

  // Holds `held`, or (when nothing can be held) writes it at once. Writes what is held when the
  // held rows reach max_rows. Fails as the write of the batch would.
  Status Add(Held held);

  // Writes every held batch, in the order they were added. Nothing is held afterwards.
  Status Flush();

  // Drops what is held, unwritten (the unit failed: nothing of it commits).
  void Discard() {
    held_.clear();
    held_rows_ = 0;
  }

  // How many transactions the writes have committed (for the log and tests).
  int64_t commits() const { return commits_; }

 private:
  Status WriteAlone(Held* held);

  Loader* loader_;
  size_t max_rows_;
  std::vector<Held> held_;
  size_t held_rows_ = 0;
  int64_t commits_ = 0;
};

}  // namespace ferry
