#include "agent/run/source_holdings.h"

namespace ferry {

void SourceHoldings::Count(bool origin_selected, const std::string& key,
                           const std::string* entity) {
  if (!origin_selected) return;
  selected_entries++;
  if (entity != nullptr) {
    routed[*entity]++;
  } else if (unmapped_keys.size() < kMaxHeldNames) {
    unmapped_keys.insert(key);
  }
}

void SourceHoldings::Merge(const SourceHoldings& other) {
  selected_entries += other.selected_entries;
  for (const std::string& key : other.unmapped_keys) {
    if (unmapped_keys.size() >= kMaxHeldNames) break;
    unmapped_keys.insert(key);
  }
  for (const auto& [entity, keys] : other.routed) routed[entity] += keys;
}

}  // namespace ferry
