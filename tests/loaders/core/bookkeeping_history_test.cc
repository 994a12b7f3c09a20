#include "loaders/core/bookkeeping_history.h"

#include <catch2/catch.hpp>

#include "base/row.h"
#include "loaders/schema_history.h"

namespace ferry::bookkeeping_history_test {
namespace {

ExpectedBookkeeping Expected() {
  ExpectedBookkeeping expected;
  expected.history_table = "ferry_schema_history";
  expected.checksum = "v1sum";
  expected.steps = {{"step two", "s2sum"}, {"step three", "s3sum"}};
  expected.version_changed_hint = " (hint v)";
  expected.step_changed_hint = " (hint s)";
  return expected;
}

TEST_CASE("CheckBookkeepingHistory: version, steps and mapping tables as recorded",
          "[loaders][core][bookkeeping]") {
  TableDef table{"tasks", {{"id", ColumnType::kText, false}}, {"id"}, {}};
  std::vector<HistoryRow> rows = {{1, "v1sum", "", "ferry bookkeeping"},
                                  {2, "x", "", CreateTableDescription("\"tasks\"", table)},
                                  {3, "s3sum", "", "step three"}};
  bool recorded = false;
  std::vector<bool> steps;
  REQUIRE(CheckBookkeepingHistory(rows, Expected(), &recorded, &steps).ok());
  CHECK(recorded);
  CHECK(steps == std::vector<bool>{false, true});
  REQUIRE(CheckBookkeepingHistory({}, Expected(), &recorded, &steps).ok());
  CHECK_FALSE(recorded);
  CHECK(steps == std::vector<bool>{false, false});
}

TEST_CASE("CheckBookkeepingHistory: a changed checksum or a newer ferry's row is refused",
          "[loaders][core][bookkeeping][hostile]") {
  bool recorded = false;
  std::vector<bool> steps;
  Status status = CheckBookkeepingHistory({{1, "other", "", "ferry bookkeeping"}}, Expected(),
                                          &recorded, &steps);
  CHECK(status.IsCorruption());
  CHECK(status.message() ==
        "ferry_schema_history: version 1 has checksum other, expected v1sum (hint v)");
  status = CheckBookkeepingHistory({{1, "v1sum", "", ""}, {4, "bad", "", "step two"}}, Expected(),
                                   &recorded, &steps);
  CHECK(status.IsCorruption());
  CHECK(status.message() ==
        "ferry_schema_history: migration 4 (step two) has checksum bad, expected s2sum (hint s)");
  status = CheckBookkeepingHistory({{1, "v1sum", "", ""}, {5, "z", "", "a later ferry's step"}},
                                   Expected(), &recorded, &steps);
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("of version 5, newer than this ferry understands (1)") !=
        std::string::npos);
}

}  // namespace
}  // namespace ferry::bookkeeping_history_test
