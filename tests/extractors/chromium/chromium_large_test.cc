// The `large` fixture (values up to 1.8 M code units): peak memory stays a small multiple of
// the largest value, and the decode rate is measured and printed (tools/bench will report
// it properly).
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "extractors/chromium/chromium_extractor.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::chromium_large_test {
namespace {

using namespace testing;  // NOLINT: test helpers

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), or -1.
int64_t StatusKb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return -1;
}

// Resets the peak resident size to the current one (Linux >= 4.0); false when not allowed.
bool ResetPeakRss() {
  ::malloc_trim(0);  // give freed memory back, so that reusing it is not mistaken for none
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

struct Pass {
  size_t entries = 0;
  size_t largest_value = 0;
  uint64_t input_bytes = 0;
  double seconds = 0;
  Status status;
};

// Reads the store without keeping the entries, as a migration does.
Pass ReadOnce(const std::string& source) {
  Pass pass;
  auto start = std::chrono::steady_clock::now();
  auto extractor = MakeChromiumExtractor(SourceSpec{"chromium", source, {}});
  extractor->SetReporter([](const Location&, const Status&) {});
  pass.status = extractor->Open();
  for (; extractor->Valid(); extractor->Next()) {
    ++pass.entries;
    pass.largest_value = std::max(pass.largest_value, extractor->entry().value.size());
  }
  if (pass.status.ok()) {
    pass.status = extractor->status();
  }
  pass.input_bytes = extractor->ExpectedSize().bytes;
  extractor.reset();
  pass.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return pass;
}

struct MemoryFigures {
  int64_t growth_bytes = -1;  // peak resident size during the read, above where it started
  int64_t largest_value = 0;
  int64_t entries = 0;
};

// Reads `source` in a child process whose big allocations are each their own mapping (so
// the resident size follows what is live, whatever the test process allocated before) and
// returns the peak growth of its resident size; growth_bytes -1 when it cannot be measured.
MemoryFigures MeasureInChild(const std::string& source) {
  int channel[2];
  if (::pipe(channel) != 0) {
    return {};
  }
  pid_t child = ::fork();
  if (child == 0) {
    ::close(channel[0]);
    ::mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    MemoryFigures figures;
    ReadOnce(source);  // first touches of code and libraries are not the read's memory
    if (ResetPeakRss()) {
      int64_t baseline_kb = StatusKb("VmRSS");
      Pass pass = ReadOnce(source);
      if (pass.status.ok()) {
        figures.growth_bytes = (StatusKb("VmHWM") - baseline_kb) * 1024;
        figures.largest_value = static_cast<int64_t>(pass.largest_value);
        figures.entries = static_cast<int64_t>(pass.entries);
      }
    }
    (void)!::write(channel[1], &figures, sizeof figures);
    ::_exit(0);
  }
  ::close(channel[1]);
  MemoryFigures figures;
  if (child < 0 || ::read(channel[0], &figures, sizeof figures) != sizeof figures) {
    figures = MemoryFigures();
  }
  ::close(channel[0]);
  int status = 0;
  if (child > 0) {
    ::waitpid(child, &status, 0);
  }
  return figures;
}

TEST_CASE("ChromiumExtractor: large decodes in memory a small multiple of its largest value",
          "[extractors][chromium][fixtures][large]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
#if defined(__SANITIZE_ADDRESS__)
  WARN("AddressSanitizer keeps freed memory in quarantine; memory not measured");
  return;
#endif
  MemoryFigures figures = MeasureInChild(*root + "/chromium/large");
  if (figures.growth_bytes < 0) {
    WARN("cannot reset the peak RSS here; memory not measured");
    return;
  }
  CHECK(figures.entries == 203 + 11);
  CHECK(figures.largest_value > 1000000);
  double multiple =
      static_cast<double>(figures.growth_bytes) / static_cast<double>(figures.largest_value);
  WARN("large: largest value " << figures.largest_value << " bytes, peak RSS growth "
                               << figures.growth_bytes << " bytes (" << multiple << "x)");
  // 2.3x in a fresh process, up to ~4.1x on a loaded machine. Holding the whole store would be
  // more than 6x (its values are 6.3 MB of UTF-8), so this bound still catches a decoder that
  // keeps entries.
  CHECK(multiple <= 5.0);
}

TEST_CASE("ChromiumExtractor: decode rate of the large store (median of 5 runs)",
          "[extractors][chromium][fixtures][large][benchmark]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::vector<double> rates;
  uint64_t input = 0;
  for (int run = 0; run < 5; ++run) {
    Pass pass = ReadOnce(*root + "/chromium/large");
    REQUIRE(pass.status.ok());
    input = pass.input_bytes;
    rates.push_back(static_cast<double>(pass.input_bytes) / 1e6 / pass.seconds);
  }
  std::sort(rates.begin(), rates.end());
  WARN("large: " << input << " bytes of store files at " << rates[2]
                 << " MB/s (median of 5; copy aside included)");
  CHECK(rates[2] > 1.0);  // a floor far below any sane machine: this is a report, not a race
}

}  // namespace
}  // namespace ferry::chromium_large_test
