#include "agent/run/source_holdings.h"

#include <catch2/catch.hpp>

namespace ferry::source_holdings_test {

TEST_CASE("SourceHoldings: counts selected entries, unmapped keys and routed entities",
          "[agent][run][filters]") {
  SourceHoldings held;
  std::string tasks = "tasks";
  held.Count(false, "tasks", &tasks);  // another origin: not counted
  held.Count(true, "tasks", &tasks);
  held.Count(true, "theme", nullptr);
  CHECK(held.selected_entries == 2);
  CHECK(held.routed == std::map<std::string, int64_t>{{"tasks", 1}});
  CHECK(held.unmapped_keys == std::set<std::string>{"theme"});
}

TEST_CASE("SourceHoldings: merging workers' holdings adds them, keys stay bounded",
          "[agent][run][filters]") {
  SourceHoldings a, b;
  std::string envs = "environments";
  a.Count(true, "environments", &envs);
  for (size_t i = 0; i < 2 * kMaxHeldNames; ++i) b.Count(true, "k" + std::to_string(i), nullptr);
  a.Merge(b);
  CHECK(a.selected_entries == static_cast<int64_t>(1 + 2 * kMaxHeldNames));
  CHECK(a.routed.at("environments") == 1);
  CHECK(a.unmapped_keys.size() == kMaxHeldNames);
}

}  // namespace ferry::source_holdings_test
