// RejectedParents: per unit, where each rejected record of a referenced entity was rejected,
// so that a child's reference to it says so ("which was rejected (u1.json key=... index=3)")
// instead of "refers to no ... of this user".
//
// It grew ~100 bytes a rejected parent (a map of strings), so a hostile unit of millions of
// rejected parents grew with them (issue 15 item 8). The places are kept up to a budget; every
// rejected id is kept, past it in a SpillingIdMap (base/spilling_id_map.h), whose answer is
// then that the record was rejected and its place is in the reject file.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "base/spilling_id_map.h"

namespace ferry {

class RejectedParents {
 public:
  // `places_budget`: the bytes of ids and places kept in memory before only ids are kept.
  explicit RejectedParents(uint64_t places_budget = kIdMapMemoryBudget);

  // Remembers that (entity, legacy id) was rejected at `where` (the first place wins). Fails
  // IOError when the spill file cannot be written.
  Status Note(std::string_view entity, std::string_view legacy, const std::string& where);

  // The place a record of (entity, legacy id) was rejected, a note that it was when its place
  // was not kept, or nullopt when none was (or the spill file could not be read: the
  // reference is then reported as one to no record, never as loaded).
  std::optional<std::string> Find(std::string_view entity, std::string_view legacy) const;

  // Forgets everything (a new unit).
  void Clear();

 private:
  uint64_t places_budget_;
  uint64_t places_bytes_ = 0;
  std::unordered_map<std::string, std::string> places_;  // "<entity>\0<legacy>" -> place
  std::unique_ptr<SpillingIdMap> beyond_;                // ids past the budget; null: none
};

// The answer Find gives for a rejected record whose place was not kept.
inline constexpr char kRejectedPlaceNotKept[] = "its place is in the reject file";

}  // namespace ferry
