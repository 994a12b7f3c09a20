// SourceHoldings: what a run's sources held, whatever the filters took: enough to tell, at the
// end of the scan, that --origin, the mapping or --include matched nothing, and to list what
// the sources hold instead (agent/run/match_check.h). Names only, a bounded number of them.
//
// Thread safety: owned by one thread; --jobs workers each fill their own, merged at the end.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace ferry {

struct SourceHoldings {
  int64_t selected_entries = 0;           // entries of the --origin origins (all without it)
  std::set<std::string> unmapped_keys;    // keys of those no entity takes (a bounded sample)
  std::map<std::string, int64_t> routed;  // entity -> keys routed to it, selected or not

  // Counts one entry the run was given; `entity` is the one it routes to, or null.
  void Count(bool origin_selected, const std::string& key, const std::string* entity);
  void Merge(const SourceHoldings& other);
};

// Names kept per set, so that memory is bounded whatever the sources hold.
constexpr size_t kMaxHeldNames = 50;

}  // namespace ferry
