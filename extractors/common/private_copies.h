// The private copies of stores (store_copy.h) alive in this process, kept so that they can be
// removed however the process ends.
//
// A normal end, and h-lifecycle's graceful stop on a first SIGINT/SIGTERM, remove each copy
// through StoreCopy's destructor. This registry covers the rest: a signal that ends the
// process at once (SIGPIPE when `ferry export | head` closes the pipe, SIGHUP, SIGQUIT, and
// SIGINT/SIGTERM while no other handler is installed) removes every registered copy from
// the handler, then ends the process as the signal would have. SIGKILL cannot be caught:
// RemoveStaleCopies removes, at the next start, the copies of processes that are gone.
//
// Copy folders are named "<tag>-<pid>-XXXXXX" (see CopyFolderPrefix) so that a later run can
// tell whose they were. A copy folder holds files only, never sub-folders.
//
// Thread safety: Register/Unregister from any thread; RemoveRegisteredCopiesNow is
// async-signal-safe (no allocation, no locks: fixed slots of atomics).
#pragma once

#include <string>

namespace ferry {

// Records the copy folder `path`; returns its slot, or -1 when every slot is taken (the copy
// is then only removed by its owner and by RemoveStaleCopies).
int RegisterPrivateCopy(const std::string& path);

// Forgets the slot returned by RegisterPrivateCopy (before the folder is removed).
void UnregisterPrivateCopy(int slot);

// Removes every registered copy folder and its files. Async-signal-safe.
void RemoveRegisteredCopiesNow();

// Installs handlers for SIGPIPE, SIGHUP, SIGQUIT, and SIGINT/SIGTERM when their disposition is
// the default, that remove the registered copies and then end the process by the same signal.
// Called once, at start.
void RemovePrivateCopiesOnSignals();

// "ferry-<tag>-<pid>-": the start of the name of this process's copy folders.
std::string CopyFolderPrefix(const std::string& tag);

// Removes, from the folder `temp_base`, the copy folders ("ferry-chromium-<pid>-*",
// "ferry-firefox-<pid>-*") that belong to this user and whose process is gone. Returns how
// many were removed.
int RemoveStaleCopies(const std::string& temp_base);

}  // namespace ferry
