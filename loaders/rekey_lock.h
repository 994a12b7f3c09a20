// The lock `ferry rekey` holds while it rewrites a target's tables (docs/rekey.md, "Locks"),
// one of the target's per-user locks under a pseudo-user. It and every user's lock exclude
// each other (SharedLoader::LockUser): a rekey is refused, Locked and naming the holder, while
// another run holds a user's lock, and a user's lock while another run holds this one. Each
// side takes its lock, then looks, so of two runs that start together at least one is refused.
#pragma once

namespace ferry {

inline constexpr char kRekeyLockUser[] = "(rekey)";

}  // namespace ferry
