// The marks of many units at once (Loader::ReadUnitMarks): one statement over ferry.checkpoints
// and ferry.unit_rejects for a list of unit names, so that a rerun or a resume over many units
// does not read each unit's mark and kept rejects in round trips of their own (issue 19).
//
// The statement names no user: it selects by unit name, and the caller keeps the rows of the
// users it loads the units as. On a distributed PostgreSQL it runs on every shard (correct,
// slower; docs/scale-out.md lists it with the reads that name no user).
//
// Thread safety: functions of one session, used by its thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/postgresql/connection.h"
#include "loaders/run_records.h"

namespace ferry::postgres {

// Appends to *out the mark of every (user, unit) whose unit is one of `units`, with what it
// kept (a body longer than `max_kept_bytes` left out). The first read of a session checks, as
// ReadCheckpoint's does, that ferry.checkpoints is keyed by schema: when it is an older
// ferry's (read only by a dry run), *complete is false, nothing is read, and the caller reads
// each unit alone.
Status ReadUnitMarks(Session* session, const std::vector<std::string>& units, size_t max_kept_bytes,
                     std::vector<StoredUnitMark>* out, bool* complete);

}  // namespace ferry::postgres
