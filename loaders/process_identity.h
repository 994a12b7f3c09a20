// Who this process is, as ferry records it with runs, locks and audit rows, and whether a
// process recorded earlier is still there.
//
// Thread safety: pure functions of the OS.
#pragma once

#include <cstdint>
#include <string>

namespace ferry {

// This machine's name (gethostname), "unknown" when it cannot be read.
std::string ThisHost();

// The OS user running ferry: $USER, else the password database's name, else "uid N".
std::string ThisOsUser();

// This process's id.
int64_t ThisPid();

// This process's token: 128 random bits as 26 Crockford base-32 characters (a ULID's
// alphabet), drawn once per process. Written with every lock, run and checkpoint this process
// takes or writes on a PostgreSQL target, so that a batch's commit and a run's liveness are
// tied to this process, not to a run id or a name another process can carry
// (docs/reliability.md). Not a secret: it only tells processes apart.
const std::string& ProcessToken();

// True when no process `pid` exists on this machine (kill(pid, 0) fails with ESRCH), or `pid`
// cannot be a process id. A process of another OS user counts as existing. A pid reused by an
// unrelated process since counts as existing too: the caller can only err towards "alive".
bool ProcessGone(int64_t pid);

}  // namespace ferry
