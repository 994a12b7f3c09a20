// PostgresLoader::ReadUnitMarks (loaders/postgresql/unit_marks.h) against the test server: the
// marks of many units in one statement, as each unit's read alone gives them (the same check as
// SQLite's), and only this target schema's.
#include <catch2/catch.hpp>

#include "tests/e2e/target_fixture.h"
#include "tests/loaders/postgresql/pg_test_session.h"
#include "tests/loaders/unit_marks_test_util.h"

namespace ferry::pg_unit_marks_test {

TEST_CASE("PostgresLoader: the marks of many units read at once are each unit's read alone",
          "[loaders][postgres][marks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  e2e::PostgresDatabase db(*server);
  TableDef table = unit_marks_testing::MarkedTable();
  auto loader = pg_testing::RunLoader(db.url(), "RUN_A");
  REQUIRE(loader->EnsureSchema({&table}).ok());
  // Another schema's mark of a unit asked for is not this target's.
  pg_testing::Admin(db.url()).Exec(
      "INSERT INTO ferry.checkpoints VALUES ('u3', E'\\x01unit', 'a.json', 99, 'RUN_S2', now(), "
      "'s2', 'T')");
  unit_marks_testing::CheckMarksReadAsEachAlone(*loader, &table);
}

TEST_CASE("PostgresLoader: marks are read at once before any checkpoint was read alone",
          "[loaders][postgres][marks]") {
  std::optional<std::string> server = e2e::PostgresTestUrl();
  if (!server) return;
  e2e::PostgresDatabase db(*server);
  TableDef table = unit_marks_testing::MarkedTable();
  {
    auto writer = pg_testing::RunLoader(db.url(), "RUN_A");
    REQUIRE(writer->EnsureSchema({&table}).ok());
    unit_marks_testing::WriteCheckpoint(*writer, &table, "u1", kUnitDoneEntity, "a.json", 7);
  }
  // A fresh session: it finds out here that the checkpoints are keyed by schema.
  auto loader = pg_testing::RunLoader(db.url(), "RUN_B");
  std::vector<StoredUnitMark> marks;
  bool complete = false;
  REQUIRE(loader->ReadUnitMarks({"a.json", "b.json"}, 100, &marks, &complete).ok());
  CHECK(complete);
  REQUIRE(marks.size() == 1);
  CHECK(marks[0].mark.run_id == "RUN_A");
  CHECK(marks[0].mark.position == 7);
}

}  // namespace ferry::pg_unit_marks_test
