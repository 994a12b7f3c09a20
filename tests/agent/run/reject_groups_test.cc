#include <catch2/catch.hpp>
#include <string>

#include "agent/run/run_report.h"

namespace ferry::reject_groups_test {

namespace {

Reject Failure(const std::string& pointer, const std::string& rule, const std::string& reason,
               int64_t index = 0) {
  Reject reject;
  reject.entity = "tasks";
  reject.where.key = "tasks";
  reject.where.index = index;
  reject.where.pointer = pointer;
  reject.schema_location = rule;
  reject.reason = reason;
  return reject;
}

}  // namespace

TEST_CASE("EntityCounts::GroupReject: one schema rule at one field is one group", "[run][report]") {
  EntityCounts counts;
  counts.GroupReject(Failure("/createdAt", "#/format", "\"x\" is not a date-time"));
  counts.GroupReject(Failure("/createdAt", "#/format", "\"y\" is not a date-time"));
  counts.GroupReject(Failure("/updatedAt", "#/format", "\"z\" is not a date-time"));
  counts.GroupReject(Failure("/id", "", "duplicate id 1"));
  counts.GroupReject(Failure("/id", "", "duplicate id 2"));
  counts.GroupReject(Failure("/id", "", "duplicate id 1"));
  REQUIRE(counts.reject_groups.size() == 4);
  CHECK(counts.reject_groups[0].count == 2);
  CHECK(counts.reject_groups[0].reason == "\"x\" is not a date-time");
  CHECK(counts.reject_groups[0].examples.size() == 2);
  CHECK(counts.reject_groups[1].field == "/updatedAt");
  CHECK(counts.reject_groups[2].count == 2);  // the same reason without a rule
  CHECK(counts.reject_groups[3].count == 1);
  CHECK(counts.rejects_ungrouped == 0);
}

TEST_CASE("EntityCounts::GroupReject: a million rejects keep bounded groups and examples",
          "[run][report]") {
  EntityCounts counts;
  for (int64_t i = 0; i < 1000000; ++i) {
    if (i % 2 == 0) {
      counts.GroupReject(Failure("/createdAt", "#/format", "bad date", i));
    } else {  // a different reason every time: only kMaxRejectGroups groups are made
      counts.GroupReject(Failure("/id", "", "duplicate id " + std::to_string(i), i));
    }
  }
  CHECK(counts.reject_groups.size() == kMaxRejectGroups);
  int64_t grouped = 0;
  for (const RejectGroup& group : counts.reject_groups) {
    grouped += group.count;
    CHECK(group.examples.size() <= kMaxRejectGroupExamples);
  }
  CHECK(counts.reject_groups[0].count == 500000);
  CHECK(counts.reject_groups[0].examples.size() == kMaxRejectGroupExamples);
  CHECK(counts.reject_groups[0].examples[0].where.index == 0);
  CHECK(grouped + counts.rejects_ungrouped == 1000000);
}

TEST_CASE("RunReport::Merge: the workers' reject groups add up, within the bounds",
          "[run][report]") {
  RunReport a;
  RunReport b;
  for (int i = 0; i < 8; ++i) {
    a.Entity("tasks").GroupReject(Failure("/createdAt", "#/format", "bad", i));
    b.Entity("tasks").GroupReject(Failure("/createdAt", "#/format", "bad", 100 + i));
  }
  b.Entity("tasks").GroupReject(Failure("/title", "#/required", "missing"));
  b.Entity("tasks").rejects_ungrouped = 5;
  a.Merge(b);
  const EntityCounts& tasks = a.entities.at("tasks");
  REQUIRE(tasks.reject_groups.size() == 2);
  CHECK(tasks.reject_groups[0].count == 16);
  CHECK(tasks.reject_groups[0].examples.size() == kMaxRejectGroupExamples);
  CHECK(tasks.reject_groups[0].examples[8].where.index == 100);  // a's 8 first, then b's
  CHECK(tasks.reject_groups[1].count == 1);
  CHECK(tasks.rejects_ungrouped == 5);
}

}  // namespace ferry::reject_groups_test
