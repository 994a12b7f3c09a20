#include "agent/run/progress_line.h"

#include <catch2/catch.hpp>

namespace ferry::progress_line_test {

namespace {

ProgressFigures Halfway() {
  ProgressFigures f;
  f.fraction = 0.5;
  f.units_done = 3;
  f.units_total = 10;
  f.records = 123456;
  f.records_per_s = 45678;
  f.eta_s = 12;
  return f;
}

}  // namespace

TEST_CASE("ProgressBarLine: a wide terminal gets the whole bar", "[run][progress]") {
  CHECK(ProgressBarLine(Halfway(), 0) ==
        "[###############---------------]  50%  3/10 units  123456 records  45678 rec/s  ETA 12s");
  CHECK(ProgressBarLine(Halfway(), 200) == ProgressBarLine(Halfway(), 0));
}

TEST_CASE("ProgressBarLine: a narrow terminal never gets a line that wraps", "[run][progress]") {
  for (int columns = 1; columns <= 120; ++columns) {
    std::string line = ProgressBarLine(Halfway(), columns);
    INFO(columns << ": " << line);
    CHECK(static_cast<int>(line.size()) <= columns - 1);
  }
  CHECK(ProgressBarLine(Halfway(), 80).rfind("[#####", 0) == 0);  // a shorter bar
  CHECK(ProgressBarLine(Halfway(), 60) ==
        " 50%  3/10 units  123456 records  45678 rec/s  ETA 12s");  // no room for a bar
  CHECK(ProgressBarLine(Halfway(), 50) == " 50%  3/10 units  123456 records  45678 rec/s");
  CHECK(ProgressBarLine(Halfway(), 30) == " 50%  123456 records");
  CHECK(ProgressBarLine(Halfway(), 20) == " 50%");
}

TEST_CASE("ProgressLogLine: the figures on one plain line, no bar", "[run][progress]") {
  ProgressFigures done = Halfway();
  done.done = true;
  CHECK(ProgressLogLine(done) == "progress:  50%  3/10 units  123456 records  45678 rec/s  done");
}

TEST_CASE("ProgressBarLine: the workers in use come last and go first", "[run][progress]") {
  ProgressFigures f = Halfway();
  f.workers = 4;
  CHECK(ProgressBarLine(f, 0) ==
        "[###############---------------]  50%  3/10 units  123456 records  "
        "45678 rec/s  ETA 12s  4 workers");
  CHECK(ProgressBarLine(f, 60) == ProgressBarLine(Halfway(), 60));
  f.workers = 1;
  CHECK_THAT(ProgressLogLine(f), Catch::EndsWith("ETA 12s  1 worker"));
}

}  // namespace ferry::progress_line_test
