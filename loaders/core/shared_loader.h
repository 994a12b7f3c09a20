// The one Loader both targets are: the call order of loader.h (Check before anything, BeginRun
// before Write, no write in a dry run), its Internal errors naming the target, and the state
// that order needs (run id, dry run, the tables EnsureSchema saw, the users LockUser locked),
// over a LoaderBackend that does each step's I/O (loader_backend.h).
//
// Rollback, pre-image capture and validation are written once, over loader.h; what a target
// must do for them goes into LoaderBackend, never into a copy of this class.
//
// Thread safety: one loader is used by one thread at a time.
#pragma once

#include <memory>

#include "loaders/core/loader_backend.h"
#include "loaders/loader.h"

namespace ferry {

// The loader over `backend`. REQUIRES: backend non-null. Never null.
std::unique_ptr<Loader> MakeSharedLoader(std::unique_ptr<LoaderBackend> backend);

}  // namespace ferry
