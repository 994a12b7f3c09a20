#include "agent/run/peak_memory.h"

#include <sys/resource.h>

namespace ferry {

int64_t PeakRssKb() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) {
    return 0;
  }
  return usage.ru_maxrss;
}

}  // namespace ferry
