#include "agent/inspect/inspect_report.h"

#include <fmt/format.h>

#include <iterator>

#include "extractors/common/json_exact.h"

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
  if (fresh) {
    origins.emplace_back();
    origins.back().source = source;
    origins.back().unit = unit;
    origins.back().origin_json = origin_json;
  }
  return origins[it->second];
}

void OriginFacts::AddKey(KeyFacts key, bool as_json) {
  ++key_count;
  if (as_json) {
    auto append_string = [this](const std::string& text) {
      keys_json.push_back('"');
      AppendJsonBody(text, &keys_json);
      keys_json.push_back('"');
    };
    keys_json += key_count > 1 ? ",{\"key\":\"" : "{\"key\":\"";
    keys_json += key.key_json;
    fmt::format_to(std::back_inserter(keys_json), "\",\"value_bytes\":{}", key.value_bytes);
    if (!key.entity.empty()) {
      keys_json += ",\"entity\":";
      append_string(key.entity);
      fmt::format_to(std::back_inserter(keys_json), ",\"json\":{},\"records\":{},\"valid\":{}",
                     key.json ? "true" : "false", key.records, key.valid);
    }
    if (!key.lossy_detail.empty()) {
      keys_json += ",\"lossy\":";
      append_string(key.lossy_detail);
    }
    keys_json += '}';
  }
  if (keys.size() < kMaxKeysPrinted) keys.push_back(std::move(key));
}

void InspectReport::AddProblem(const std::string& text) {
  ++problems;
  if (problem_list.size() < kMaxProblemsListed) problem_list.push_back(text);
}

}  // namespace ferry
