#include "loaders/loader.h"

namespace ferry {

const char* ConflictPolicyName(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::kSkip:
      return "skip";
    case ConflictPolicy::kOverwrite:
      return "overwrite";
    case ConflictPolicy::kMerge:
      return "merge";
  }
  return "skip";
}

std::optional<ConflictPolicy> ParseConflictPolicy(const std::string& name) {
  for (ConflictPolicy policy :
       {ConflictPolicy::kSkip, ConflictPolicy::kOverwrite, ConflictPolicy::kMerge}) {
    if (name == ConflictPolicyName(policy)) {
      return policy;
    }
  }
  return std::nullopt;
}

}  // namespace ferry
