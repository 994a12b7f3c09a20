// InspectSources: reads sources as `ferry migrate` would, up to validation, and writes nothing.
//
// Every entry is routed to an entity by the mapping (transformers/route_entry.h); a mapped
// value is parsed, split into records by the entity's shape (records_of_value.h), each record
// checked against the entity's JSON Schema and its legacy id classified (id_kind.h). Sources
// are copied aside by their extractors as for a migration, so a live store is fine.
//
// Thread safety: a free function; runs on the calling thread.
#pragma once

#include <string>
#include <vector>

#include "agent/inspect/inspect_report.h"
#include "base/status.h"
#include "extractors/extractor.h"
#include "transformers/mapping.h"

namespace ferry {

struct InspectOptions {
  std::vector<std::string> sources;  // as given: "chromium:PATH", "PATH", ...
  std::vector<std::string> origins;  // --origin; empty: every origin
  // --max-value-bytes: a longer value is damage (docs/design.md, "Memory")
  uint64_t max_value_bytes = kDefaultMaxValueBytes;
  std::string mapping_file;  // --mapping; empty: the bundled taskapp mapping
  bool json = false;         // --json
  // --propose-mapping FILE: write a proposed mapping there instead of the table ("-": standard
  // output, for stores and dumps); a database's is never written over a file that exists.
  std::string propose_mapping;
};

// Fills *report from every source. Fails on a source that cannot be read at all (the
// extractor's status); damage skipped over is counted in the report.
Status InspectSources(const InspectOptions& options, const Mapping& mapping, InspectReport* report);

}  // namespace ferry
