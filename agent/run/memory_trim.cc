#include "agent/run/memory_trim.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ferry {

uint64_t TrimAboveBytes() {
  static const uint64_t bound = [] {
    const char* text = std::getenv("FERRY_TEST_TRIM_ABOVE_MIB");
    if (text == nullptr || *text == '\0') return kTrimAboveBytes;
    return static_cast<uint64_t>(std::strtoull(text, nullptr, 10)) << 20;
  }();
  return bound;
}

uint64_t ResidentBytes() {
  // statm's second field: resident pages. One small read (~µs), once a unit.
  FILE* file = std::fopen("/proc/self/statm", "re");
  if (file == nullptr) return 0;
  unsigned long long size = 0;
  unsigned long long resident = 0;
  int fields = std::fscanf(file, "%llu %llu", &size, &resident);
  std::fclose(file);
  if (fields != 2) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

bool TrimIfResidentAbove(uint64_t bound) {
  if (bound == 0) return false;
  uint64_t before = ResidentBytes();
  if (before <= bound) return false;
#if !defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer malloc is ASan's, not glibc's: glibc's malloc_trim then walks arenas
  // nothing set up and crashes in a worker thread (it did in CI's sanitizer phase). There is
  // nothing of glibc's to give back, so the trim is skipped and only reported.
  malloc_trim(0);
#endif
  spdlog::debug("memory: resident {} MiB past {} MiB, trimmed to {} MiB", before >> 20, bound >> 20,
                ResidentBytes() >> 20);
  return true;
}

}  // namespace ferry
