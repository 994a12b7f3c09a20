// Peak resident memory of this process, for the report.
#pragma once

#include <cstdint>

namespace ferry {

// Maximum resident set size so far, in KiB (getrusage).
int64_t PeakRssKb();

}  // namespace ferry
