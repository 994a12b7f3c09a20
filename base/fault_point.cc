#include "base/fault_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdlib>

namespace ferry {

namespace {

struct FaultPlan {
  bool armed = false;
  FaultSpec spec;
};

std::atomic<int64_t> passes{0};           // through the armed point
std::atomic<int64_t> clock_offset_ms{0};  // FERRY_FAULT_SIGNAL=CLOCK, once stepped

// Writes straight to fd 2: nothing that buffers stands between the line and the kill, and a
// test reading stderr sees where the process died.
void WriteStderr(std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
    if (written <= 0) return;
    text.remove_prefix(static_cast<size_t>(written));
  }
}

const FaultPlan& Plan() {
  static const FaultPlan plan = [] {
    FaultPlan parsed;
    const char* value = std::getenv("FERRY_FAULT");
    if (value == nullptr || *value == '\0') return parsed;
    std::optional<FaultSpec> spec = ParseFaultSpec(value);
    if (!spec) {
      WriteStderr("ferry: FERRY_FAULT=\"" + std::string(value) +
                  "\" is not NAME:N (N >= 1): no fault point armed\n");
      return parsed;
    }
    parsed.armed = true;
    parsed.spec = std::move(*spec);
    return parsed;
  }();
  return plan;
}

}  // namespace

std::optional<FaultSpec> ParseFaultSpec(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  int64_t pass = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, error] = std::from_chars(first, last, pass);
  if (error != std::errc() || end != last || first == last || pass < 1) return std::nullopt;
  return FaultSpec{std::string(text.substr(0, colon)), pass};
}

bool FaultPointsArmed() { return Plan().armed; }

int64_t FaultClockOffsetMillis() { return clock_offset_ms.load(); }

void FaultPoint(std::string_view name) {
  const FaultPlan& plan = Plan();
  if (!plan.armed || name != plan.spec.name) return;
  int64_t pass = passes.fetch_add(1) + 1;
  if (pass != plan.spec.pass) return;
  // FERRY_FAULT_SIGNAL=STOP stops the process there instead (SIGSTOP), for a test that acts
  // while it is frozen mid-batch and then lets it go on (SIGCONT).
  const char* action = std::getenv("FERRY_FAULT_SIGNAL");
  if (action != nullptr && std::string_view(action) == "CLOCK") {
    // The wall clock steps (FERRY_FAULT_CLOCK_MS, negative: backwards) and the run goes on.
    const char* step = std::getenv("FERRY_FAULT_CLOCK_MS");
    int64_t millis = step != nullptr ? std::strtoll(step, nullptr, 10) : 0;
    clock_offset_ms.store(millis);
    WriteStderr("ferry: FERRY_FAULT: clock stepped by " + std::to_string(millis) + " ms at " +
                plan.spec.name + " pass " + std::to_string(pass) + "\n");
    return;
  }
  bool stop = action != nullptr && std::string_view(action) == "STOP";
  WriteStderr(std::string("ferry: FERRY_FAULT: ") + (stop ? "SIGSTOP" : "SIGKILL") + " at " +
              plan.spec.name + " pass " + std::to_string(pass) + "\n");
  ::raise(stop ? SIGSTOP : SIGKILL);
}

}  // namespace ferry
