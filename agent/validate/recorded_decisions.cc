#include "agent/validate/recorded_decisions.h"

#include <vector>

namespace ferry {

Result<std::shared_ptr<RecordedDecisions>> RecordedDecisions::Read(Loader* loader,
                                                                   const std::string& run_id) {
  std::vector<std::string> details;
  FERRY_RETURN_IF_ERROR(loader->ListAuditDetails(run_id, kConflictDecisionAction, &details));
  std::vector<ConflictDecision> decisions;
  for (const std::string& detail : details) {
    FERRY_RETURN_IF_ERROR(ParseDecisionsDetail(detail, &decisions));
  }
  auto recorded = std::make_shared<RecordedDecisions>();
  for (const ConflictDecision& decision : decisions) {
    recorded->decided_[{decision.entity, decision.legacy_id}] = decision.policy;
  }
  return recorded;
}

Result<ConflictPolicy> RecordedDecisions::Decide(const EntityMapping& entity,
                                                 const std::string& legacy_id, const Row&,
                                                 const Row&) {
  auto found = decided_.find({entity.name, legacy_id});
  return found != decided_.end() ? found->second : ConflictPolicy::kOverwrite;
}

}  // namespace ferry
