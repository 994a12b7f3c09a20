#include "agent/inspect/inspect_report.h"

namespace ferry {

OriginFacts& InspectReport::Origin(const std::string& source, const std::string& unit,
                                   const std::string& origin_json) {
  if (!origins.empty()) {
    const OriginFacts& last = origins.back();
    if (last.origin_json == origin_json && last.unit == unit && last.source == source) {
      return origins.back();
    }
  }
  std::string id = source + '\0' + unit + '\0' + origin_json;
  auto [it, fresh] = origin_index_.try_emplace(id, origins.size());
  if (fresh) origins.push_back(OriginFacts{source, unit, origin_json, 0, {}});
  return origins[it->second];
}

void InspectReport::AddProblem(const std::string& text) {
  ++problems;
  if (problem_list.size() < kMaxProblemsListed) problem_list.push_back(text);
}

}  // namespace ferry
