// SqliteLoader::ReadUnitMarks (loaders/sqlite/unit_marks.h): the marks of many units in one
// statement, as each unit's read alone gives them (the same check as PostgreSQL's).
#include <catch2/catch.hpp>

#include "loaders/sqlite/sqlite_loader.h"
#include "loaders/sqlite/unit_marks.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"
#include "tests/loaders/unit_marks_test_util.h"

namespace ferry::sqlite_unit_marks_test {

TEST_CASE("SqliteLoader: the marks of many units read at once are each unit's read alone",
          "[loaders][sqlite][marks]") {
  sqlite_testing::TempDir dir;
  TableDef table = unit_marks_testing::MarkedTable();
  auto loader = sqlite_testing::ReadyLoader(dir.File("t.db"), false, {&table});
  unit_marks_testing::CheckMarksReadAsEachAlone(*loader, &table);
}

TEST_CASE("SqliteLoader: a target without ferry's tables has no marks",
          "[loaders][sqlite][marks]") {
  sqlite_testing::TempDir dir;
  std::string path = dir.File("empty.db");
  sqlite_testing::ExecSql(path, "CREATE TABLE other (x INTEGER)");
  std::unique_ptr<Loader> loader = MakeSqliteLoader(sqlite_testing::SqliteSpec(path));
  REQUIRE(loader->Check(true).ok());
  std::vector<StoredUnitMark> marks;
  bool complete = false;
  REQUIRE(loader->ReadUnitMarks({"a.json"}, 100, &marks, &complete).ok());
  CHECK(complete);
  CHECK(marks.empty());
}

TEST_CASE("SqliteLoader: more unit marks than one statement takes are read alone",
          "[loaders][sqlite][marks]") {
  sqlite_testing::TempDir dir;
  TableDef table = unit_marks_testing::MarkedTable();
  auto loader = sqlite_testing::ReadyLoader(dir.File("t.db"), false, {&table});
  std::vector<std::string> units(sqlite::kMaxMarkUnits + 1, "a.json");
  std::vector<StoredUnitMark> marks;
  bool complete = true;
  REQUIRE(loader->ReadUnitMarks(units, 100, &marks, &complete).ok());
  CHECK_FALSE(complete);
  CHECK(marks.empty());
}

}  // namespace ferry::sqlite_unit_marks_test
