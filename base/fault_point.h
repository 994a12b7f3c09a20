// FaultPoint: a test hook that kills the process at an exact moment, for the fault-injection
// tests (tests/e2e/fault_injection_test.cc, docs/reliability.md). No user needs it, and nothing
// but a test sets it.
//
// When the environment variable FERRY_FAULT is "NAME:N" (N >= 1), the N-th pass of the process
// through FaultPoint("NAME") raises SIGKILL: no destructor, no flush, no COMMIT runs after it,
// exactly as after `kill -9` or a power cut. The variable is read once, at the first pass
// through any point. Unset (or malformed: a warning goes to stderr), a pass only tests a flag.
// With FERRY_FAULT_SIGNAL=STOP that pass raises SIGSTOP instead: the process freezes there
// (a test then acts on the target and sends SIGCONT), as a process the OS stops or a VM pause.
//
// The points placed in ferry (their names are "<target>.<moment>"):
//   pg.copy.mid         halfway through the text of a COPY (every COPY of a batch passes it)
//   pg.before_upsert    after a batch's COPY, before the statement that upserts it
//   pg.before_commit    before a batch's COMMIT         pg.after_commit    after it
//   sqlite.mid_batch    halfway through a batch's rows
//   sqlite.before_commit / sqlite.after_commit
//   preimage.after_flush   a batch's pre-images are on disk, the batch not yet written
//   rollback.before_commit before a rollback's COMMIT
//
// Thread safety: safe from any thread (the count of passes is atomic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// A FERRY_FAULT value: the point's name and the pass (1-based) that kills.
struct FaultSpec {
  std::string name;
  int64_t pass = 0;
};

// Parses "NAME:N" (NAME not empty, N a decimal integer >= 1); nullopt otherwise.
std::optional<FaultSpec> ParseFaultSpec(std::string_view text);

// Counts a pass through the point `name` and, when FERRY_FAULT names this pass, kills the
// process with SIGKILL (after one line on stderr naming the point).
void FaultPoint(std::string_view name);

// True when FERRY_FAULT names a point: a caller may split its work in two only to place a
// point between the halves (the PostgreSQL COPY does), leaving the usual path untouched.
bool FaultPointsArmed();

}  // namespace ferry
