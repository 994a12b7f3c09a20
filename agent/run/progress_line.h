// ProgressLine: the text of the progress bar, fitted to the terminal so that it never wraps (a
// wrapped line is not overwritten by "\r": each update would scroll a new line), and the same
// figures as a plain line for a log, where a bar drawn with "\r" would be glued into one line.
//
// Thread safety: pure.
#pragma once

#include <cstdint>
#include <string>

namespace ferry {

struct ProgressFigures {
  double fraction = 0;  // of the bytes read, 0 when the total is unknown
  uint64_t units_done = 0;
  uint64_t units_total = 0;
  uint64_t records = 0;
  double records_per_s = 0;
  double eta_s = -1;  // unknown below 0
  bool done = false;
  int workers = 0;  // the units loading at once (--jobs or its default); 0: not shown
};

// The bar's line, at most `columns` - 1 characters (0: no limit): as the terminal narrows the
// bar shrinks, then goes, then the workers, the ETA, the rate, the units and the records go, the
// percentage last.
std::string ProgressBarLine(const ProgressFigures& figures, int columns);

// The figures on one line with no bar, for a log: "progress: 45%  3/10 units  ...".
std::string ProgressLogLine(const ProgressFigures& figures);

}  // namespace ferry
