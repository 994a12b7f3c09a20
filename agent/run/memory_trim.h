// TrimIfResidentAbove: between units, gives the memory glibc's arenas keep after it was freed
// back to the system once the process's resident size passes a bound (issue 19; docs/design.md,
// "Memory": the allocator's share).
//
// Why: a run of many users frees as much as it allocates, but glibc keeps what was freed. Its
// threads (the reader, the workers, their writers, the backup's) each allocate from an arena
// of their own, and once a large block (a batch's COPY text, a dump's value) has been mapped and
// freed, glibc raises its mmap threshold and trim threshold (up to 32 and 64 MiB) for good:
// the next large blocks come from the arenas, which then give back only the free memory at
// their top. Measured at 10M tasks: ~100 MiB resident for ~50 MiB in use, half of it freed
// memory the arenas kept; fewer arenas (M_ARENA_MAX 2) kept as much. Mapping large blocks
// instead (a fixed M_MMAP_THRESHOLD) or trimming often lowers the resident size but costs a
// page fault for every page touched again: at 3,000 users, +97 % CPU for a threshold of
// 128 KiB, +47 % for 1 MiB, +26 % for a trim past 72 MiB (every ~26 units), on a virtual
// machine whose faults are slow (docs/benchmarks.md, "Twelfth session"). A trim past a bound
// near the peak the arenas reach on their own costs faults only on the largest runs.
//
// Thread safety: any thread; two trims at once are harmless (malloc_trim locks each arena).
#pragma once

#include <cstdint>

namespace ferry {

// The resident size past which a trim is made, in bytes: kTrimAboveBytes, or (a test hook)
// FERRY_TEST_TRIM_ABOVE_MIB (0: never trim).
constexpr uint64_t kTrimAboveBytes = uint64_t{80} << 20;
uint64_t TrimAboveBytes();

// The process's resident size in bytes (/proc/self/statm), or 0 when it cannot be read.
uint64_t ResidentBytes();

// Calls malloc_trim(0) when ResidentBytes() is above `bound` (0: never; under AddressSanitizer,
// whose allocator is not glibc's, it never calls it). True when the bound was passed.
bool TrimIfResidentAbove(uint64_t bound = TrimAboveBytes());

}  // namespace ferry
