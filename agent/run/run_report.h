// RunReport: what a run did, per entity, for people (a summary on stdout) and machines
// (--report FILE, JSON).
//
// Thread safety: owned by the run's thread; not shared.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "transformers/reject.h"

namespace ferry {

struct EntityCounts {
  int64_t read = 0;       // records found in the source
  int64_t valid = 0;      // passed schema, identity and mapping checks
  int64_t inserted = 0;   // new rows (would be, in a dry run)
  int64_t updated = 0;    // existing rows replaced
  int64_t skipped = 0;    // existing rows kept (policy skip, or unchanged content)
  int64_t merged = 0;     // existing rows merged field by field
  int64_t rejected = 0;   // went to the reject file
  std::vector<std::string> examples_inserted;  // a few legacy ids, for the dry-run preview
  std::vector<std::string> examples_updated;
  std::vector<std::string> examples_skipped;
  std::vector<Reject> examples_rejected;
};

struct RunReport {
  std::string run_id;
  bool dry_run = false;
  std::string target;                  // redacted: never a password
  std::vector<std::string> sources;
  std::string mapping;
  std::string started_at;              // RFC 3339
  double duration_s = 0;
  int64_t units = 0;                   // users / stores processed
  int64_t unmapped_keys = 0;           // keys no entity claims (theme, authToken, ...)
  int64_t problems = 0;                // damage reported by extractors
  std::vector<std::string> problem_examples;
  std::string rejects_file;            // empty when nothing was rejected or not written
  int64_t peak_rss_kb = 0;
  std::string status = "completed";    // completed | completed_with_rejects | failed | stopped
  std::string error;                   // the failure, when status is failed/stopped
  int exit_code = 0;
  std::map<std::string, EntityCounts> entities;
  std::vector<std::string> entity_order;  // load order, for printing

  EntityCounts& Entity(const std::string& name);
  int64_t TotalRead() const;
  int64_t TotalRejected() const;

  // The human summary: one line per entity, then totals, duration, rate and memory.
  void PrintSummary(std::ostream& out) const;
  // The report as one JSON document.
  std::string ToJson() const;
};

// Keeps at most this many examples per entity and kind.
constexpr size_t kMaxExamples = 3;

}  // namespace ferry
