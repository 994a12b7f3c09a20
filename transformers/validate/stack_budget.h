// StackBudget: bounds the machine stack one validation may use.
//
// valijson validates by recursion: a few frames per level of the record (and per schema hop),
// so a record nested thousands of levels deep against a recursive schema ({"items": {"$ref":
// "#"}}) would overflow the stack. SchemaValidator::Validate() opens a StackBudget; the simdjson
// adapter calls StackBudget::Check() whenever valijson enters an array or object, and Check()
// throws StackBudgetExceeded once the stack has grown past the budget (or close to the end of
// the thread's real stack, whichever comes first). Validate() catches it and reports a
// violation. Between two checks valijson only follows same-level schema hops, whose chain
// length Compile() bounds, so the overshoot is bounded too.
//
// Thread safety: the budget is per thread (thread_local); scopes nest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>

namespace ferry {

// Thrown by StackBudget::Check(); never escapes SchemaValidator::Validate().
class StackBudgetExceeded : public std::exception {
 public:
  const char* what() const noexcept override { return "validation exceeded its stack budget"; }
};

class StackBudget {
 public:
  // Opens a budget of `bytes` below the caller's frame on this thread.
  explicit StackBudget(size_t bytes);
  ~StackBudget() { limit_ = previous_limit_; }

  StackBudget(const StackBudget&) = delete;
  StackBudget& operator=(const StackBudget&) = delete;

  // Throws StackBudgetExceeded when the current frame lies beyond the innermost open budget.
  // A no-op when no budget is open on this thread.
  static void Check() {
    if (reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) < limit_) {
      throw StackBudgetExceeded();
    }
  }

 private:
  // Lowest frame address allowed; 0 (no limit) when no budget is open. The stack grows down.
  static inline thread_local uintptr_t limit_ = 0;
  uintptr_t previous_limit_;
};

}  // namespace ferry
