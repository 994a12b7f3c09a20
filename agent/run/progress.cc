#include "agent/run/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace ferry {

namespace {

using Clock = std::chrono::steady_clock;

class NoProgress : public Progress {
 public:
  void Update(uint64_t, uint64_t, uint64_t) override {}
  void Finish(uint64_t, uint64_t) override {}
};

class TimedProgress : public Progress {
 public:
  TimedProgress(bool json, uint64_t total_bytes, uint64_t total_units)
      : json_(json), total_bytes_(total_bytes), total_units_(total_units), start_(Clock::now()) {}

  void Update(uint64_t bytes_done, uint64_t records, uint64_t units_done) override {
    Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(json_ ? 1000 : 200)) {
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
                   "\"bytes\":%llu,\"bytes_total\":%llu,\"records_per_s\":%.0f,\"eta_s\":%.1f}\n",
                   done ? "done" : "progress", static_cast<unsigned long long>(units_done),
                   static_cast<unsigned long long>(total_units_),
                   static_cast<unsigned long long>(records),
                   static_cast<unsigned long long>(bytes_done),
                   static_cast<unsigned long long>(total_bytes_), rate, done ? 0.0 : eta);
      return;
    }
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '-');
    std::string eta_text = eta >= 0 ? fmt::format("ETA {:.0f}s", eta) : std::string("ETA ?");
    std::fprintf(stderr, "\r[%s] %3.0f%%  %llu/%llu units  %llu records  %.0f rec/s  %s   %s",
                 bar.c_str(), fraction * 100, static_cast<unsigned long long>(units_done),
                 static_cast<unsigned long long>(total_units_),
                 static_cast<unsigned long long>(records), rate, done ? "done" : eta_text.c_str(),
                 done ? "\n" : "");
    std::fflush(stderr);
  }

  bool json_;
  uint64_t total_bytes_;
  uint64_t total_units_;
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
                                       uint64_t total_units) {
  if (mode == ProgressMode::kAuto) {
    mode = isatty(STDERR_FILENO) ? ProgressMode::kBar : ProgressMode::kNone;
  }
  switch (mode) {
    case ProgressMode::kBar:
      return std::make_unique<TimedProgress>(false, total_bytes, total_units);
    case ProgressMode::kJson:
      return std::make_unique<TimedProgress>(true, total_bytes, total_units);
    default:
      return std::make_unique<NoProgress>();
  }
}

}  // namespace ferry
