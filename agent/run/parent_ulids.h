// ParentUlids: per unit, what a child's reference to a parent record resolves to, by the
// parent's entity and legacy id: the parent's ULID, or an empty one for a parent known to be
// missing (neither the unit nor the id map has it), so that each parent costs one lookup.
//
// It grew ~100 bytes a referenced record (issue 15 item 8). In a dry run it is the only copy of
// what the unit's parents are, and in a real run the id map may not hold them yet (a unit's
// batches are held back: agent/run/unit_writes.h) and a refused parent changes its answer
// (commit_batch.cc), so it cannot be a cache that forgets: it is a SpillingIdMap
// (base/spilling_id_map.h), the duplicate check's bounded map, past its budget sorted runs in an
// unnamed 0600 temporary file. A ULID is 128 bits and the map holds 64 per id, so a parent is
// two ids, "<entity>\0<legacy>h" and "...l" (its halves), and a missing one is "...n".
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "base/spilling_id_map.h"
#include "base/status.h"

namespace ferry {

class ParentUlids {
 public:
  explicit ParentUlids(uint64_t memory_budget = kIdMapMemoryBudget);
  ~ParentUlids();
  ParentUlids(const ParentUlids&) = delete;
  ParentUlids& operator=(const ParentUlids&) = delete;

  // nullopt: nothing known of the parent; an empty string: known to be missing; else its ULID.
  // Fails IOError when the temporary file cannot be read back.
  Result<std::optional<std::string>> Find(std::string_view entity, std::string_view legacy) const;

  // Puts `ulid` (empty: missing) for the parent, in place of what was held. Fails IOError when
  // the temporary file cannot be written (full disk, no TMPDIR).
  Status Put(std::string_view entity, std::string_view legacy, std::string_view ulid);

  // Forgets everything (a new unit), the temporary file included.
  void Clear();

  // How many parents are held (each put once, whatever its later answers).
  size_t size() const { return size_; }
  // How many runs went to the temporary file (0: everything stayed in memory).
  size_t spilled_runs() const { return map_->spilled_runs(); }

 private:
  uint64_t memory_budget_;
  std::unique_ptr<SpillingIdMap> map_;
  // A ULID that is not one EncodeUlid gives back as it was (none ferry makes), or whose half
  // is the map's tombstone: held as text.
  std::unordered_map<std::string, std::string> odd_;
  size_t size_ = 0;
};

}  // namespace ferry
