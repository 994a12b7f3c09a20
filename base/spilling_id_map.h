// SpillingIdMap: a map from ids to a number that is queried while it is filled (the duplicate
// check of one entity of one unit: legacy id -> index of its first record), and whose memory
// stays under a budget whatever the number of ids (issue 15 item 8).
//
// Ids are held in a hash map up to the budget; past it they are sorted and written as a run to
// an unnamed temporary file (O_TMPFILE under $TMPDIR, 0600: no name another user could open,
// gone with the process however it ends), and each goes into one Bloom filter of fixed size
// (16 MiB, made at the first spill), so that an id never seen costs no read in most cases. An
// id the filter may hold is looked up in the runs, newest first, through each run's sparse
// index (the first id of each 16 KiB block: a few bytes per hundred ids) and one read of the
// block. An erased id that a run holds is shadowed by a tombstone, which spills like an id.
// Memory is then the budget, the filter and the sparse indexes, whatever the number of ids;
// past ~10 million spilled ids the filter answers "maybe" more often and lookups read more
// (slower, never wrong). Runs are merged as a binary counter merges its carries: a new run is
// level 0, and two runs of one level become one of the next (newest wins, a tombstone dropped
// once nothing older is left), so at most log2(spills) + 1 runs are read for an id, and an id is
// rewritten log2(spills) times; the merged runs' old bytes are given back to the file system
// (a punched hole) where it allows.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

// The bytes of ids a map holds in memory before it writes a run to its temporary file.
constexpr uint64_t kIdMapMemoryBudget = uint64_t{16} << 20;

class SpillingIdMap {
 public:
  explicit SpillingIdMap(uint64_t memory_budget = kIdMapMemoryBudget);
  ~SpillingIdMap();
  SpillingIdMap(const SpillingIdMap&) = delete;
  SpillingIdMap& operator=(const SpillingIdMap&) = delete;

  // The number put for `id`, if it is held (put and not erased since). Fails IOError when a run
  // cannot be read back.
  Result<std::optional<int64_t>> Find(std::string_view id) const;

  // Puts `value` for `id`. REQUIRES: Find(id) holds nothing. Fails IOError when a run cannot be
  // written (the temporary file cannot be created, or the disk is full); the map is then
  // unusable.
  Status Insert(std::string_view id, int64_t value);

  // Forgets `id` (nothing when it is not held). Fails as Find and Insert do.
  Status Erase(std::string_view id);

  // How many runs went to the temporary file (0: everything stayed in memory).
  size_t spilled_runs() const { return spills_; }
  // How many runs a lookup may read now (spilled runs merged: at most log2(spills) + 1).
  size_t live_runs() const { return runs_.size(); }

 private:
  // A run in the file: its blocks, each starting at blocks[i].second with id blocks[i].first,
  // the last ending at `end`.
  struct Run {
    std::vector<std::pair<std::string, uint64_t>> blocks;
    uint64_t begin = 0;
    uint64_t end = 0;
    int level = 0;  // 0: spilled from memory; n + 1: merged from two runs of level n
  };

  Status Spill();
  // Merges the two newest runs into one at the file's end.
  Status MergeNewestRuns();
  // Appends a record to `run`, whose unwritten block is `block` (ids in order).
  Status AppendToRun(Run* run, std::string* block, std::string_view id, int64_t value);
  Status WriteBlock(std::string* block);
  Result<std::optional<int64_t>> FindInRun(const Run& run, std::string_view id) const;
  bool MayHold(std::string_view id) const;
  void AddToFilter(std::string_view id);

  uint64_t memory_budget_;
  uint64_t memory_bytes_ = 0;
  std::unordered_map<std::string, int64_t> memory_;  // a tombstone is kErased
  int fd_ = -1;
  uint64_t file_end_ = 0;
  std::vector<Run> runs_;  // oldest first, in the file's order
  size_t spills_ = 0;
  std::vector<uint64_t> filter_;  // the Bloom filter's bits; empty until the first spill
  mutable std::string block_;     // a block read back
};

}  // namespace ferry
