// `ferry inspect SOURCE... [--json] [--mapping FILE] [--origin O]...`: what sources hold and
// how the mapping would take it (agent/inspect/), without writing anything anywhere.
//
// Exit codes: 0 done; 3 done, but damage was skipped (listed); 1 a source cannot be read;
// 2 usage or a bad mapping.
//
// Thread safety: RunInspect shares no state; AddInspectCommand is called once per App.
#pragma once

#include <ostream>

#include "agent/inspect/inspect_scan.h"

namespace CLI {
class App;
}

namespace ferry {

// Registers `inspect` on `root`; its callback stores the exit code in *exit_code.
void AddInspectCommand(CLI::App& root, int* exit_code);

// Runs an inspection: the table or JSON to `out`, errors to `err`; the exit code.
int RunInspect(const InspectOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ferry
