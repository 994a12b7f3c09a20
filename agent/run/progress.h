// Progress: a bar with rate and ETA on a terminal, JSON lines for machines, or nothing.
//
// Writes to stderr (stdout carries the report). Updates are throttled to a few per second (a
// bar) or one a second (json); the run calls Update every few hundred records, within a unit
// too, so that one large dump moves as it is read.
//
// Thread safety: one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

namespace ferry {

enum class ProgressMode { kAuto, kBar, kJson, kNone };

Result<ProgressMode> ParseProgressMode(const std::string& text);

class Progress {
 public:
  virtual ~Progress() = default;
  // Called as work goes; cheap when nothing is due to be shown.
  virtual void Update(uint64_t bytes_done, uint64_t records, uint64_t units_done) = 0;
  // Called once at the end: the final line (bar) or event (json).
  virtual void Finish(uint64_t records, uint64_t units_done) = 0;
};

// `total_bytes` 0 means unknown (no ETA); `workers` is how many units load at once, shown on
// every line (0: not shown). kAuto is a bar when stderr is a terminal, else nothing.
std::unique_ptr<Progress> MakeProgress(ProgressMode mode, uint64_t total_bytes,
                                       uint64_t total_units, int workers = 0);

}  // namespace ferry
