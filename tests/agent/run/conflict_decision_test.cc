#include "agent/run/conflict_decision.h"

#include <catch2/catch.hpp>

#include "agent/run/run_report.h"

namespace ferry::conflict_decision_test {
namespace {

TEST_CASE("conflict decisions: the audit-log detail reads back, keys escaped, no value",
          "[interactive][issue20]") {
  std::vector<ConflictDecision> decisions = {
      {"tasks", "a \"quoted\"\nkey", "01DXF6DT00AYFM5SR3ZVF9H4VZ", ConflictPolicy::kSkip, true},
      {"tasks", "2", "", ConflictPolicy::kMerge, true},
      {"notes", "n:3", "01DXF6DT00AYFM5SR3ZVF9H4W1", ConflictPolicy::kOverwrite, false}};
  std::string detail = DecisionsDetail(decisions);
  std::vector<ConflictDecision> read;
  REQUIRE(ParseDecisionsDetail(detail, &read).ok());
  REQUIRE(read.size() == 3);
  for (size_t i = 0; i < read.size(); ++i) {
    CHECK(read[i].entity == decisions[i].entity);
    CHECK(read[i].legacy_id == decisions[i].legacy_id);
    CHECK(read[i].ulid == decisions[i].ulid);
    CHECK(read[i].policy == decisions[i].policy);
    CHECK(read[i].asked == decisions[i].asked);
  }
  CHECK(ParseDecisionsDetail("{}", &read).IsCorruption());
  CHECK(ParseDecisionsDetail(R"([{"entity":"t","key":"1","ulid":"","decision":"drop",)"
                             R"("asked":true}])",
                             &read)
            .IsCorruption());
}

TEST_CASE("conflict decisions: counted by answer, S/O/M apart, examples bounded",
          "[interactive][issue20]") {
  EntityCounts counts;
  for (size_t i = 0; i < kMaxDecisionExamples + 5; ++i) {
    counts.AddDecision({"tasks", std::to_string(i), "", ConflictPolicy::kOverwrite, i == 0});
  }
  counts.AddDecision({"tasks", "x", "", ConflictPolicy::kSkip, true});
  CHECK(counts.decided_overwrite == static_cast<int64_t>(kMaxDecisionExamples + 5));
  CHECK(counts.decided_skip == 1);
  CHECK(counts.decided_by_rule == static_cast<int64_t>(kMaxDecisionExamples + 4));
  CHECK(counts.Decided() == static_cast<int64_t>(kMaxDecisionExamples + 6));
  CHECK(counts.examples_decisions.size() == kMaxDecisionExamples);
}

}  // namespace
}  // namespace ferry::conflict_decision_test
