// SpillingKeyIndex: a map from keys to small values that is filled once, then read once in key
// order, and whose memory stays under a budget whatever the number of keys (issue 15 item 8).
//
// Puts are held in memory up to the budget; past it they are sorted, reduced to one winner per
// key and written as a run to an unnamed temporary file (O_TMPFILE under $TMPDIR or the given
// folder, 0600: it has no name another user could open and is gone with the process however it
// ends). Reading merges the runs through a heap of their heads (log(runs) a record). Memory is
// then the budget (up to twice it while a vector grows) plus a read buffer a run (64 KiB; the
// budget over the runs when they are many, at least 4 KiB) and the largest record
// (docs/design.md, "Memory").
//
// Of the records of one key the one of highest rank wins; of equal ranks the last put wins.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace ferry {

// The bytes of records an index holds in memory before it writes a run to its temporary file.
constexpr uint64_t kKeyIndexMemoryBudget = uint64_t{16} << 20;

class SpillingKeyIndex {
 public:
  // `folder` holds the temporary file ("": $TMPDIR, else /tmp).
  explicit SpillingKeyIndex(uint64_t memory_budget = kKeyIndexMemoryBudget,
                            std::string folder = "");
  ~SpillingKeyIndex();
  SpillingKeyIndex(const SpillingKeyIndex&) = delete;
  SpillingKeyIndex& operator=(const SpillingKeyIndex&) = delete;

  // Records `value` for `key` at `rank`. Fails IOError when a run cannot be written (the
  // temporary file cannot be created, or the disk is full); the index is then unusable.
  // REQUIRES: Finish() not called yet; key and value under 4 GiB each.
  Status Put(std::string_view key, uint64_t rank, std::string_view value);

  // Ends the puts and positions at the smallest key (bytewise). Fails IOError as Put does.
  Status Finish();

  // True while positioned at a key; false at the end or after a read error (see status()).
  bool Valid() const { return valid_; }
  // The current key, and its winning record's rank and value, valid until Next().
  // REQUIRES: Valid()
  std::string_view key() const { return key_; }
  uint64_t rank() const { return rank_; }
  // How many records were put for the current key (1 when it was put once).
  uint64_t count() const { return count_; }
  std::string_view value() const { return value_; }
  // Moves to the next key. REQUIRES: Valid()
  void Next();
  // OK, or the IOError that ended the reading of a run early.
  const Status& status() const { return status_; }

  // How many runs went to the temporary file (0: everything stayed in memory).
  size_t spilled_runs() const { return runs_.size(); }

 private:
  // A run in the temporary file: bytes [begin, end), sorted, one record a key.
  struct Run {
    uint64_t begin;
    uint64_t end;
  };
  class Cursor;

  Status SpillMemory();
  // Sorts the records in memory by key and keeps each key's winner, in key order.
  // Each is (offset of the winner in arena_, how many records its key had).
  std::vector<std::pair<uint32_t, uint32_t>> SortedWinners() const;
  Status OpenFile();
  Status Write(const std::string& bytes);

  uint64_t memory_budget_;
  std::string folder_;
  // Records in memory and in runs: [u32 key size][u32 value size][u64 rank][u32 count][key]
  // [value], back to back (count: how many records of the key a run's record stands for).
  std::string arena_;
  std::vector<uint32_t> offsets_;  // of each record in arena_, in put order
  int fd_ = -1;
  uint64_t file_end_ = 0;
  std::vector<Run> runs_;                         // spilled, oldest first
  std::vector<std::unique_ptr<Cursor>> cursors_;  // one per run, then the memory's last
  std::vector<size_t> heap_;                      // cursors_ not at their end, a min-heap by key
  std::vector<size_t> popped_;                    // the cursors at the current key, during Next()
  bool finished_ = false;
  bool valid_ = false;
  Status status_;
  std::string key_;
  uint64_t rank_ = 0;
  uint64_t count_ = 0;
  std::string value_;
};

}  // namespace ferry
