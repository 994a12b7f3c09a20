#include "agent/run/progress_line.h"

#include <fmt/format.h>

#include <vector>

namespace ferry {

namespace {

constexpr int kFullBar = 30;
constexpr int kShortestBar = 10;

// The parts after the bar, most needed first.
std::vector<std::string> Parts(const ProgressFigures& f) {
  std::vector<std::string> parts = {fmt::format("{:3.0f}%", f.fraction * 100),
                                    fmt::format("{} records", f.records),
                                    fmt::format("{}/{} units", f.units_done, f.units_total),
                                    fmt::format("{:.0f} rec/s", f.records_per_s),
                                    f.done         ? std::string("done")
                                    : f.eta_s >= 0 ? fmt::format("ETA {:.0f}s", f.eta_s)
                                                   : std::string("ETA ?")};
  if (f.workers > 0)
    parts.push_back(fmt::format("{} worker{}", f.workers, f.workers == 1 ? "" : "s"));
  return parts;
}

std::string Join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < parts.size(); ++i) out += (i ? "  " : "") + parts[i];
  return out;
}

std::string Bar(double fraction, int width) {
  if (fraction > 1) fraction = 1;
  if (fraction < 0) fraction = 0;
  std::string bar(static_cast<size_t>(fraction * width), '#');
  bar.resize(static_cast<size_t>(width), '-');
  return "[" + bar + "] ";
}

}  // namespace

std::string ProgressBarLine(const ProgressFigures& figures, int columns) {
  std::vector<std::string> parts = Parts(figures);
  // The order in the line: percentage, units, records, rate, ETA (as it always was).
  auto text = [&parts](size_t count) {
    std::vector<std::string> shown(parts.begin(), parts.begin() + static_cast<long>(count));
    if (shown.size() >= 3) std::swap(shown[1], shown[2]);
    return Join(shown, shown.size());
  };
  std::string rest = text(parts.size());
  if (columns <= 0) return Bar(figures.fraction, kFullBar) + rest;
  int room = columns - 1;  // the last column would wrap on some terminals
  int bar_width = room - static_cast<int>(rest.size()) - 3;  // "[", "] "
  if (bar_width >= kShortestBar) {
    return Bar(figures.fraction, bar_width < kFullBar ? bar_width : kFullBar) + rest;
  }
  for (size_t count = parts.size(); count >= 1; --count) {
    std::string line = text(count);
    if (static_cast<int>(line.size()) <= room) return line;
  }
  return room > 0 ? parts[0].substr(0, static_cast<size_t>(room)) : std::string();
}

std::string ProgressLogLine(const ProgressFigures& figures) {
  std::vector<std::string> parts = Parts(figures);
  std::swap(parts[1], parts[2]);
  return "progress: " + Join(parts, parts.size());
}

}  // namespace ferry
