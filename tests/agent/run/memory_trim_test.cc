#include "agent/run/memory_trim.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tests/under_sanitizer.h"

namespace ferry::memory_trim_test {

namespace {

// Frees `blocks` blocks of 64 KiB (below glibc's mmap threshold: from the arena) while one more
// allocated after them stays, so that the free memory is not at the arena's top, which
// free() would give back by itself: what glibc keeps after a unit (memory_trim.h).
void* KeepFreedMemory(int blocks) {
  std::vector<void*> held;
  for (int i = 0; i <= blocks; ++i) {
    void* block = std::malloc(64 << 10);
    std::memset(block, 1, 64 << 10);  // resident
    held.push_back(block);
  }
  void* pin = held.back();  // the last one, above the others: kept
  held.pop_back();
  for (void* block : held) std::free(block);
  return pin;
}

}  // namespace

TEST_CASE("memory trim: the resident size is read", "[memory_trim]") { CHECK(ResidentBytes() > 0); }

TEST_CASE("memory trim: freed memory the arena keeps goes back past the bound, only then",
          "[memory_trim]") {
  void* pin = KeepFreedMemory(512);  // 32 MiB freed and kept
  uint64_t kept = ResidentBytes();
  CHECK_FALSE(TrimIfResidentAbove(0));          // 0: never
  CHECK_FALSE(TrimIfResidentAbove(kept << 4));  // under the bound: nothing done
  CHECK(ResidentBytes() + (8 << 20) > kept);    // still kept
  CHECK(TrimIfResidentAbove(1 << 20));          // past it: trimmed (skipped under ASan)
  if (!testing::kUnderAddressSanitizer) {       // ASan's allocator is not glibc's
    INFO("resident " << (kept >> 20) << " MiB before, " << (ResidentBytes() >> 20) << " after");
    CHECK(ResidentBytes() + (24 << 20) < kept);  // the 32 MiB went back
  }
  std::free(pin);
}

}  // namespace ferry::memory_trim_test
