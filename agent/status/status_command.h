// `ferry status [--target URL] [--verbose] [--json] [--limit N]`: the target's runs, newest
// first, one a line with its run ID first (state, times, committed progress, counts, host:pid),
// then the holders of its locks. Reads only: a target without ferry's tables is left as it is
// ("no ferry runs in TARGET").
//
// Thread safety: RunStatus shares no state; AddStatusCommand is called once per App.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace ferry {

struct StatusOptions {
  std::string target;    // --target; empty: DATABASE_URL, else sqlite:ferry.db
  bool verbose = false;  // arguments, fingerprint and checkpoints per run
  bool json = false;     // one JSON document instead of lines
  int limit = 20;        // the newest N runs; 0: all
};

// Prints the status of options.target; returns the exit code (0, or that of the failure).
int RunStatus(const StatusOptions& options, std::ostream& out, std::ostream& err);

// Registers `status` on `root`; its callback stores the exit code in *exit_code.
void AddStatusCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
