#include "agent/run/stop_signal.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "extractors/common/private_copies.h"

namespace ferry {

namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the handler needs a lock-free flag");

std::atomic<int> requested{0};

constexpr char kIntText[] =
    "\nferry: SIGINT: stopping at the next batch boundary (Ctrl-C again stops at once)\n";
constexpr char kTermText[] =
    "ferry: SIGTERM: stopping at the next batch boundary (a second signal stops at once)\n";

// The status CheckStop returns: transient (Unavailable), as the run can go on where it stopped.
constexpr char kStopMessage[] = "stopped by a signal at a batch boundary";

extern "C" void OnStopSignal(int signal) {
  int none = 0;
  if (!requested.compare_exchange_strong(none, signal)) {
    // The second signal: what it would have done without ferry's handler, leaving no private
    // copy of a store behind (the destructors that remove them on a graceful stop do not run).
    RemoveRegisteredCopiesNow();
    ::signal(signal, SIG_DFL);
    ::raise(signal);
    return;
  }
  const char* text = signal == SIGINT ? kIntText : kTermText;
  size_t size = signal == SIGINT ? sizeof(kIntText) - 1 : sizeof(kTermText) - 1;
  ssize_t ignored = ::write(STDERR_FILENO, text, size);
  (void)ignored;
}

struct sigaction previous_int;
struct sigaction previous_term;

}  // namespace

ScopedStopSignals::ScopedStopSignals() {
  struct sigaction action = {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);  // one handler at a time: the second sees the first's flag
  sigaddset(&action.sa_mask, SIGTERM);
  action.sa_flags = SA_RESTART;  // a read or write in progress goes on; the flag is seen later
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

ScopedStopSignals::~ScopedStopSignals() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

void RequestStop() {
  int none = 0;
  requested.compare_exchange_strong(none, SIGINT);
}

int StopSignal() { return requested.load(std::memory_order_relaxed); }

Status CheckStop() { return StopSignal() == 0 ? Status::OK() : Status::Unavailable(kStopMessage); }

bool IsStop(const Status& status) {
  return StopSignal() != 0 && status.IsUnavailable() && status.message() == kStopMessage;
}

const char* StopSignalName(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a signal";
  }
}

}  // namespace ferry
