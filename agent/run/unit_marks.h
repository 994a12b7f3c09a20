// UnitMarks: the marks (loaders/unit_mark.h) of a run's units and what each kept beside it,
// read from the target a chunk of units at a time (Loader::ReadUnitMarks) instead of in two
// round trips per unit (ReadCheckpoint, ReadUnitRejects): what a rerun or a resume over many
// units found unchanged pays per unit besides its lock (issue 19).
//
// The run's units are known before any is read (Extractor::Units: each unit's name, in the
// order the scan yields them). The first unit of a chunk asked for reads the marks of the
// chunk's units; each unit is then answered once from what was read. A unit of a chunk that
// was read and holds no mark has none. Anything else — a unit the list does not hold (or
// holds twice, or whose name is not UTF-8), a unit asked twice, a target that cannot read
// marks so, a kept body too long to read with the others — is answered "unknown", and the
// caller reads that unit alone, as before.
//
// What a chunk read says is the target as of that read, a little before each unit's lock is
// taken. It decides only what the run may skip: a unit skipped on a mark read then is as if
// it had been skipped then (it writes nothing); a later run's or rollback's change to its mark
// meanwhile is one that could have come just after it. docs/reliability.md, "Rerun over an
// unchanged source".
//
// Thread safety: Find may be called from several threads (--jobs workers), each with its own
// loader; one chunk is read at a time.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/run_records.h"

namespace ferry {

// Units a chunk read asks for: one statement each (at most kMaxMarkUnits on SQLite).
inline constexpr size_t kUnitMarksChunk = 1024;
// The longest kept body read with the marks; a longer one is read alone (ReadUnitRejects).
// Bounds what a chunk holds: at most kUnitMarksChunk of them.
inline constexpr size_t kUnitMarksKeptBytes = size_t{16} << 10;

class UnitMarks {
 public:
  // `units`: every unit's name, in the order the run's scan yields them.
  explicit UnitMarks(std::vector<std::string> units, size_t chunk = kUnitMarksChunk);
  UnitMarks(const UnitMarks&) = delete;
  UnitMarks& operator=(const UnitMarks&) = delete;

  // What is known of the mark of (user_id, unit).
  struct Answer {
    bool known = false;  // false: read the unit's mark alone (ReadCheckpoint)
    std::optional<StoredCheckpoint> mark;
    // When `mark`: whether what it kept is known (false: read it alone, ReadUnitRejects), and
    // what it kept.
    bool kept_known = false;
    std::optional<StoredUnitRejects> kept;
  };
  // Reads the marks of the unit's chunk with `loader` when they were not read yet. Fails only
  // when that read fails (after the loader's retries).
  Status Find(Loader* loader, const std::string& user_id, const std::string& unit, Answer* out);

  // Chunk reads done so far (tests, the debug log).
  size_t reads() const;

 private:
  Status ReadChunk(Loader* loader, size_t chunk);

  const size_t chunk_size_;
  std::vector<std::string> units_;
  std::unordered_map<std::string, size_t> place_;  // unit -> its place; duplicates removed
  mutable std::mutex mu_;
  std::vector<bool> read_;   // per chunk: its marks were read (guarded by mu_)
  std::vector<bool> asked_;  // per unit: answered once already (guarded by mu_)
  // What the chunks read hold, until asked: (user, unit) -> its mark (guarded by mu_).
  std::unordered_map<std::string, StoredUnitMark> found_;
  size_t reads_ = 0;  // guarded by mu_
};

}  // namespace ferry
