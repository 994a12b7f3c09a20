#include "transformers/validate/stack_budget.h"

#include <pthread.h>

#include <algorithm>

namespace ferry {
namespace {

// Room left untouched at the far end of the thread's stack: the frames valijson may push
// between two checks, plus what unwinding StackBudgetExceeded needs.
constexpr uintptr_t kStackReserve = 256 * 1024;

// The lowest usable address of the calling thread's stack, or 0 when unknown.
uintptr_t QueryStackLow() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* addr = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0) return 0;
  return reinterpret_cast<uintptr_t>(addr);
}

}  // namespace

StackBudget::StackBudget(size_t bytes) : previous_limit_(limit_) {
  // Asked once per thread: pthread_getattr_np reads /proc/self/maps for the main thread.
  static thread_local const uintptr_t stack_low = QueryStackLow();
  const uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  uintptr_t limit = here > bytes ? here - bytes : 0;
  if (stack_low != 0) limit = std::max(limit, stack_low + kStackReserve);
  // An inner scope never widens an outer one.
  limit_ = std::max(limit, previous_limit_);
}

}  // namespace ferry
