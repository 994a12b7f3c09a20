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

// True when no process `pid` exists on this machine (kill(pid, 0) fails with ESRCH), or `pid`
// cannot be a process id. A process of another OS user counts as existing. A pid reused by an
// unrelated process since counts as existing too: the caller can only err towards "alive".
bool ProcessGone(int64_t pid);

}  // namespace ferry
