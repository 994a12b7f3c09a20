// RenderHtmlReport: a run's report as one self-contained HTML page (--report FILE.html), what a
// person reviews after a dry run: per-entity counts with bars, examples, rejects grouped by
// reason with where each came from, conflicts field by field, and the run's facts.
//
// The page loads nothing: the style is inline, there is no script, font or image, and a
// Content-Security-Policy forbids every fetch. It reads without JavaScript, in light and dark.
// Everything from the data is escaped (agent/report/html_text.h). Its size is bounded by the
// report's examples (run_report.h), not by the number of records or rejects.
//
// Thread safety: pure.
#pragma once

#include <string>

#include "agent/run/run_report.h"

namespace ferry {

// The page for `report`.
std::string RenderHtmlReport(const RunReport& report);

}  // namespace ferry
