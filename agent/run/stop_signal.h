// Stopping a run on Ctrl-C (SIGINT) or SIGTERM: at the next batch boundary, not on the spot.
//
// While a ScopedStopSignals lives, the first of these signals only sets a flag (and says so on
// stderr); the run checks it between batches (CheckStop) and ends there, its committed batches
// kept and the run resumable. A second signal stops the process at once, as without the handler.
// The handler is async-signal-safe: an atomic exchange and a write(2) of a fixed text.
//
// Thread safety: StopSignal and CheckStop may be called from any thread.
#pragma once

#include "base/status.h"

namespace ferry {

// Installs the handler for SIGINT and SIGTERM; puts the previous ones back on destruction.
class ScopedStopSignals {
 public:
  ScopedStopSignals();
  ~ScopedStopSignals();
  ScopedStopSignals(const ScopedStopSignals&) = delete;
  ScopedStopSignals& operator=(const ScopedStopSignals&) = delete;
};

// The signal that asked the run to stop (SIGINT, SIGTERM), or 0.
int StopSignal();

// OK, or once a stop was asked for, the status that unwinds the run to its end (IsStop).
Status CheckStop();

// Asks the run to stop at this batch boundary, as a first SIGINT does (--conflict interactive's
// q): the run ends resumable, exit 130.
void RequestStop();

// True for the status CheckStop returns.
bool IsStop(const Status& status);

// "SIGINT", "SIGTERM".
const char* StopSignalName(int signal);

}  // namespace ferry
