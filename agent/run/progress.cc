#include "agent/run/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "agent/run/progress_line.h"
#include "base/terminal_caps.h"

namespace ferry {

namespace {

using Clock = std::chrono::steady_clock;

class NoProgress : public Progress {
 public:
  void Update(uint64_t, uint64_t, uint64_t) override {}
  void Finish(uint64_t, uint64_t) override {}
};

// A bar redraws often; a line in a log (json, or a bar asked for off a terminal) does not. A
// test sets FERRY_TEST_PROGRESS_MS so that a unit shows progress within it however fast the
// machine reads it (tests/e2e/progress_test.cc).
int64_t IntervalMillis(bool json, bool terminal) {
  const char* text = std::getenv("FERRY_TEST_PROGRESS_MS");
  int64_t test = text != nullptr ? std::strtoll(text, nullptr, 10) : 0;
  if (test > 0) return test;
  return json ? 1000 : terminal ? 200 : 5000;
}

class TimedProgress : public Progress {
 public:
  TimedProgress(bool json, uint64_t total_bytes, uint64_t total_units, int workers)
      : json_(json),
        terminal_(!json && ::isatty(STDERR_FILENO) != 0),
        total_bytes_(total_bytes),
        total_units_(total_units),
        workers_(workers),
        interval_ms_(IntervalMillis(json, terminal_)),
        start_(Clock::now()) {}

  void Update(uint64_t bytes_done, uint64_t records, uint64_t units_done) override {
    Clock::time_point now = Clock::now();
    // A bar redraws often; a line in a log (json, or a bar asked for off a terminal) does not.
    if (now - last_ < std::chrono::milliseconds(interval_ms_)) {
      return;
    }
    last_ = now;
    Show(bytes_done, records, units_done, false);
  }

  void Finish(uint64_t records, uint64_t units_done) override {
    Show(total_bytes_, records, units_done, true);
  }

 private:
  void Show(uint64_t bytes_done, uint64_t records, uint64_t units_done, bool done) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    double rate = elapsed > 0 ? records / elapsed : 0;
    double fraction = total_bytes_ ? static_cast<double>(bytes_done) / total_bytes_ : 0;
    if (fraction > 1) fraction = 1;
    double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : -1;
    if (json_) {
      std::fprintf(stderr,
                   "{\"event\":\"%s\",\"units\":%llu,\"units_total\":%llu,\"records\":%llu,"
                   "\"bytes\":%llu,\"bytes_total\":%llu,\"records_per_s\":%.0f,\"eta_s\":%.1f,"
                   "\"workers\":%d}\n",
                   done ? "done" : "progress", static_cast<unsigned long long>(units_done),
                   static_cast<unsigned long long>(total_units_),
                   static_cast<unsigned long long>(records),
                   static_cast<unsigned long long>(bytes_done),
                   static_cast<unsigned long long>(total_bytes_), rate, done ? 0.0 : eta, workers_);
      return;
    }
    ProgressFigures figures{fraction, units_done, total_units_, records, rate, eta, done, workers_};
    if (!terminal_) {
      // Not a terminal: "\r" would glue every update into one line of the log.
      std::fprintf(stderr, "%s\n", ProgressLogLine(figures).c_str());
      return;
    }
    // Fitted to the terminal's width, asked each time (a resize): a line that wraps cannot be
    // redrawn in place. Spaces clear what a longer line before it left.
    int columns = TerminalColumns(STDERR_FILENO);
    std::string line = ProgressBarLine(figures, columns);
    size_t length = line.size();
    size_t clear = columns > 0 ? std::min(shown_, static_cast<size_t>(columns - 1)) : shown_;
    if (length < clear) line.append(clear - length, ' ');
    shown_ = length;
    std::fprintf(stderr, "\r%s%s", line.c_str(), done ? "\n" : "");
    std::fflush(stderr);
  }

  bool json_;
  bool terminal_;     // stderr is a terminal: a bar redrawn in place; else one line per update
  size_t shown_ = 0;  // the length of the bar's line last drawn
  uint64_t total_bytes_;
  uint64_t total_units_;
  int workers_;
  int64_t interval_ms_;
  Clock::time_point start_;
  Clock::time_point last_{};
};

}  // namespace

Result<ProgressMode> ParseProgressMode(const std::string& text) {
  if (text == "auto") return ProgressMode::kAuto;
  if (text == "bar") return ProgressMode::kBar;
  if (text == "json") return ProgressMode::kJson;
  if (text == "none") return ProgressMode::kNone;
  return Status::InvalidArgument(
      fmt::format("--progress {}: expected one of auto, bar, json, none", text));
}

std::unique_ptr<Progress> MakeProgress(ProgressMode mode, uint64_t total_bytes,
                                       uint64_t total_units, int workers) {
  if (mode == ProgressMode::kAuto) {
    mode = isatty(STDERR_FILENO) ? ProgressMode::kBar : ProgressMode::kNone;
  }
  switch (mode) {
    case ProgressMode::kBar:
      return std::make_unique<TimedProgress>(false, total_bytes, total_units, workers);
    case ProgressMode::kJson:
      return std::make_unique<TimedProgress>(true, total_bytes, total_units, workers);
    default:
      return std::make_unique<NoProgress>();
  }
}

}  // namespace ferry
