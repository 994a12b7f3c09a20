// WrittenKeys: lets FindExistingRows (existing_rows.h) skip the read of a key that the target
// cannot hold, so that a first load reads nothing back.
//
// At one entity's first batch in a unit, one probe (unless the unit's probe of the whole
// user, agent/run/user_probe.h, answered it already) asks the target whether the entity's table
// holds any row of the unit's user (Loader::HoldsNoRowWith). When it holds none, the rows it
// holds for the user from then on are those this unit writes — the unit holds the user's lock,
// so no other run writes them — and every key of this unit's batches is remembered. A key that
// holds the user's column (user_id, legacy_id) and is not remembered then has no row in the
// target: it is not read. Keys are compared by their cells, as BatchKeyConflicts compares them
// within a batch.
//
// Remembered as 64-bit hashes (16 to 32 bytes a key, in one open-addressed table): a hash
// that two keys share costs a read, never a decision. At most kMaxWrittenKeys of them (16 MiB
// of table): past it the unit's later keys are all read, as without the probe, so that memory
// does not grow with the unit (docs/design.md, "Memory"). The probe needs a key of the table that
// leads with the user's column (an index serves it); without one every key is read as before.
//
// Thread safety: one per (unit, entity), used by its thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/run/assign_identities.h"
#include "base/status.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

// The hashes a WrittenKeys holds at most (its table is then 2^21 slots, 16 MiB).
constexpr size_t kMaxWrittenKeys = size_t{1} << 20;

// The index of entity's column holding the user id when a key of its table (primary or
// unique) leads with it, so that an index serves a probe by user; else -1.
int UserKeyColumn(const EntityMapping& entity);

class WrittenKeys {
 public:
  explicit WrittenKeys(size_t max_keys = kMaxWrittenKeys) : max_keys_(max_keys) {}

  // The target is known to hold no row of the unit's user (Loader::ProbeUser, under the user's
  // lock): Begin takes it as its probe's answer instead of asking. Before Begin.
  void PresumeFresh() { presumed_fresh_ = true; }

  // At the first call with records: the probe (the user is records' cell in the user column).
  Status Begin(const EntityMapping& entity, Loader* loader,
               const std::vector<AssignedRecord>& records);

  // True when the key (the table's columns `columns`, whose position among the table's keys,
  // primary first, is `key`) of `row` cannot be in the target: it is not read.
  bool Unheld(size_t key, const std::vector<size_t>& columns, const Row& row) const;

  // Remembers the keys of `records` (written, or perhaps written, by this batch).
  void Remember(const EntityMapping& entity, const std::vector<AssignedRecord>& records);

  // True when the probe found no row of the user (the keys are being remembered), and the
  // keys remembered stayed within kMaxWrittenKeys.
  bool fresh() const { return state_ == State::kFresh; }

 private:
  enum class State { kUnknown, kFresh, kHeld };

  uint64_t Hash(size_t key, const std::vector<size_t>& columns, const Row& row) const;
  bool Contains(uint64_t hash) const;
  void Insert(uint64_t hash);

  size_t max_keys_;
  State state_ = State::kUnknown;
  bool presumed_fresh_ = false;
  int user_column_ = -1;
  std::vector<uint64_t> slots_;  // open addressing, linear probing; 0 is an empty slot
  size_t size_ = 0;
};

}  // namespace ferry
