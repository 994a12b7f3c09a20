// `ferry rekey TARGET --plan FILE [--strategy add|hybrid|switch] [--dry-run] [--batch-size N]`
// (docs/rekey.md): gives the tables of an existing database ULID columns beside their old keys,
// in place; `switch` then makes them the primary and foreign keys (key_switch.h). The
// plan is the mapping `ferry inspect sqlite:app.db --propose-mapping` writes.
//
// The run is recorded in the target's run history as migrate's are (its arguments begin with
// "rekey"), and holds the lock of the pseudo-user "(rekey)" while it writes, so that a second
// rekey of the same target is refused (Locked, exit 4). The same command after a kill goes on.
//
// Thread safety: RunRekey shares no state; AddRekeyCommand is called once per App.
#pragma once

#include <ostream>
#include <string>

#include "loaders/rekey_lock.h"

namespace CLI {
class App;
}

namespace ferry {

struct RekeyOptions {
  std::string target;  // TARGET: sqlite:PATH or postgresql://...
  std::string plan;    // --plan FILE
  std::string strategy = "add";
  bool dry_run = false;
  int batch_size = 1000;
};

// Exit codes: 0 done and verified, 1 failed (or the result does not verify), 2 usage (an
// unknown strategy, a switch in the way of a view or a table outside the plan, a
// plan that does not fit the database), 3 done with orphaned references
// (named), 4 another run holds the lock.
int RunRekey(const RekeyOptions& options, std::ostream& out, std::ostream& err);

// Registers `rekey` on `root`; its callback stores the exit code in *exit_code.
void AddRekeyCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
