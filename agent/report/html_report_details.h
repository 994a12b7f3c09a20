// The HTML report's sections below the entity table: examples, conflicts, rejects grouped by
// reason, and what else went wrong. Each appends to `out`, and nothing when it has nothing to
// show. Used by html_report.cc only.
//
// Thread safety: pure.
#pragma once

#include <string>

#include "agent/run/run_report.h"

namespace ferry {

// Rejects shown in full per group; the rest of the group's examples are folded.
constexpr size_t kRejectExamplesShown = 3;

void AppendExamplesSection(const RunReport& report, std::string* out);
void AppendConflictsSection(const RunReport& report, std::string* out);
// --conflict interactive's decisions per entity: counts and the first examples.
void AppendDecisionsSection(const RunReport& report, std::string* out);
void AppendRejectsSection(const RunReport& report, std::string* out);
void AppendProblemsSection(const RunReport& report, std::string* out);

}  // namespace ferry
