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
// With FERRY_FAULT_SIGNAL=CLOCK and FERRY_FAULT_CLOCK_MS=D (e.g. -3600000) that pass raises no
// signal: the process's wall clock steps by D milliseconds there and the run goes on, as when
// NTP or an operator sets the clock back (FaultClockOffsetMillis; docs/reliability.md).
//
// The points placed in ferry (their names are "<target>.<moment>"):
//   pg.copy.mid         halfway through the text of a COPY (every COPY of a batch passes it)
//   pg.before_upsert    after a batch's COPY, before the statement that upserts it
//   pg.before_commit    before a batch's COMMIT         pg.after_commit    after it
//   pg.after_lock       a user's advisory lock and its row taken (and committed)
//   pg.before_unlock    a user's mark committed with its lock row's DELETE, the advisory
//                       lock not yet released
//   sqlite.mid_batch    halfway through a batch's rows
//   sqlite.before_commit / sqlite.after_commit
//   source.read         before a JSON or dump file is read, and before each read of an NDJSON
//                       file's 256 KiB buffer (a test truncates or appends to it there)
//   preimage.after_flush   a batch's pre-images are on disk, the batch not yet written
//   backup.before_read_back a migrate's backup of its sources (made at its first write) is
//                       written and synced, its manifest and summary not yet read back (its
//                       chunks are read back on another thread as they are written; nothing
//                       written to the target yet)
//   run.before_first_write a loader's first write of a migrate run, once the run's archive is
//                       made, read back and recorded (agent/run/first_write_backup.h)
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

// What FERRY_FAULT_SIGNAL=CLOCK has stepped the wall clock by, in milliseconds: 0 until the
// armed pass. Every reading of the wall clock that makes a ULID adds it (UlidGenerator).
int64_t FaultClockOffsetMillis();

}  // namespace ferry
