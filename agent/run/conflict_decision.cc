#include "agent/run/conflict_decision.h"

#include <simdjson.h>

#include <optional>

#include "agent/run/run_report.h"
#include "transformers/json_writer.h"

namespace ferry {

std::string DecisionsDetail(const std::vector<ConflictDecision>& decisions) {
  std::string out = "[";
  for (const ConflictDecision& decision : decisions) {
    if (out.size() > 1) out += ",";
    out += "{\"entity\":";
    AppendJsonString(decision.entity, &out);
    out += ",\"key\":";
    AppendJsonString(decision.legacy_id, &out);
    out += ",\"ulid\":";
    AppendJsonString(decision.ulid, &out);
    out += ",\"decision\":\"";
    out += ConflictPolicyName(decision.policy);
    out += decision.asked ? "\",\"asked\":true}" : "\",\"asked\":false}";
  }
  return out + "]";
}

Status ParseDecisionsDetail(const std::string& detail, std::vector<ConflictDecision>* out) {
  auto bad = [&](const char* why) {
    return Status::Corruption(std::string("an audit-log entry of conflict decisions: ") + why);
  };
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(detail).get(array) != simdjson::SUCCESS) return bad("not a JSON array");
  for (simdjson::dom::element element : array) {
    std::string_view entity, key, ulid, decision;
    bool asked = true;
    if (element["entity"].get(entity) != simdjson::SUCCESS ||
        element["key"].get(key) != simdjson::SUCCESS ||
        element["ulid"].get(ulid) != simdjson::SUCCESS ||
        element["decision"].get(decision) != simdjson::SUCCESS ||
        element["asked"].get(asked) != simdjson::SUCCESS) {
      return bad("a decision lacks entity, key, ulid, decision or asked");
    }
    std::optional<ConflictPolicy> policy = ParseConflictPolicy(std::string(decision));
    if (!policy) return bad("a decision is not skip, overwrite or merge");
    out->push_back({std::string(entity), std::string(key), std::string(ulid), *policy, asked});
  }
  return Status::OK();
}

void EntityCounts::AddDecision(const ConflictDecision& decision) {
  switch (decision.policy) {
    case ConflictPolicy::kSkip:
      ++decided_skip;
      break;
    case ConflictPolicy::kOverwrite:
      ++decided_overwrite;
      break;
    case ConflictPolicy::kMerge:
      ++decided_merge;
      break;
  }
  if (!decision.asked) ++decided_by_rule;
  if (examples_decisions.size() < kMaxDecisionExamples) {
    examples_decisions.push_back(
        {decision.legacy_id, decision.ulid, ConflictPolicyName(decision.policy), decision.asked});
  }
}

}  // namespace ferry
