// The writers of a user whose lock another session of the same run holds (issue 18: the
// tables of one database loaded by several workers at once).
//
// A run that loads several units of one user at once holds the user's lock (user_lock.h) on
// one session for the whole run, and its workers write on their own sessions. Each worker,
// while it is in one of the user's units, holds the user's writers key shared (a session-level
// advisory lock, released with its session): JoinUser takes it, then checks that the user's
// lock is held by a session of this run in this process (application_name), else lets go. A
// first take of the user's lock (LockUser, kTake) takes the writers key exclusively for an
// instant in the same statement and is refused while any session holds it shared. So when
// the lock session is lost (a network cut) while a worker writes, another run cannot take the
// user until that worker has left its unit or its session has ended, and never reads the
// user's checkpoints while a write of this run is still to land.
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "loaders/postgresql/connection.h"

namespace ferry::postgres {

// The writers key of (schema, user): never equal to a user's lock key, nor ferry's DDL lock's.
int64_t UserWritersKey(const std::string& schema, const std::string& user_id);

// Takes the writers key of `user_id` shared; OK when a session of `run_id` in this process
// holds the user's lock. Otherwise the key is let go and: Locked when another run holds the
// lock (or an exclusive take of the writers key is under way), Unavailable when nobody holds
// it (this run's lock session is reconnecting: try again). REQUIRES: the session does not
// hold the writers key already (advisory locks stack).
Status JoinUser(Session* session, const std::string& user_id, const std::string& run_id);

// Lets go of the writers key JoinUser took; OK when not held.
Status LeaveUser(Session* session, const std::string& user_id);

// Locked: a first take of `user_id`'s lock found its writers key held shared by a session
// (named in the message) of a run whose lock session is gone.
Status WritersStillIn(Session* session, const std::string& user_id);

}  // namespace ferry::postgres
