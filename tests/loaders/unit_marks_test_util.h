// The check both targets must pass alike for Loader::ReadUnitMarks: the marks of many units read
// in one statement are what ReadCheckpoint and ReadUnitRejects give each unit alone, for every
// user and unit, marked or not. Header-only: only *_test.cc files are built into the test
// binary.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "loaders/loader.h"
#include "loaders/unit_mark.h"

namespace ferry::unit_marks_testing {

// A table for the marks' batches (a mark is an empty batch of the unit's first entity).
inline TableDef MarkedTable() {
  TableDef table;
  table.name = "marked";
  table.columns = {{"id", ColumnType::kUlid, false},
                   {"user_id", ColumnType::kText, false},
                   {"title", ColumnType::kText, true}};
  table.primary_key = {"id"};
  return table;
}

// Writes the checkpoint of (user, entity, unit) at `position` as an empty batch, with `kept`
// beside it (a mark's kept rejects; empty: none).
inline void WriteCheckpoint(Loader& loader, const TableDef* table, const std::string& user,
                            const std::string& entity, const std::string& unit, int64_t position,
                            const std::string& kept = "") {
  WriteBatch batch;
  batch.table = table;
  batch.entity = "marked";
  batch.user_id = user;
  batch.policy = ConflictPolicy::kSkip;
  batch.checkpoint = Checkpoint{unit, entity, position};
  batch.unit_rejects = kept;
  Result<BatchOutcome> written = loader.Write(batch);
  INFO(written.status().ToString());
  REQUIRE(written.ok());
}

// REQUIRES: `loader` past Check, BeginRun and EnsureSchema({table}), with nothing written.
inline void CheckMarksReadAsEachAlone(Loader& loader, const TableDef* table) {
  const std::string kept_short = R"({"file":"b.json","entities":[],"rejects":[]})";
  const std::string kept_long(300, 'x');
  WriteCheckpoint(loader, table, "u1", kUnitDoneEntity, "a.json", 11);
  WriteCheckpoint(loader, table, "u1", kUnitDoneEntity, "b.json", 12, kept_short);
  WriteCheckpoint(loader, table, "u2", kUnitDoneEntity, "b.json", 13, kept_long);
  WriteCheckpoint(loader, table, "u2", kUnitDoneEntity, "c.json", 14);
  // Not marks: an entity's checkpoint, and a mark of a unit not asked for.
  WriteCheckpoint(loader, table, "u1", "marked", "d.json", 5);
  WriteCheckpoint(loader, table, "u1", kUnitDoneEntity, "z.json", 15);

  const std::vector<std::string> units = {"a.json", "b.json", "c.json", "d.json", "e.json"};
  std::vector<StoredUnitMark> marks;
  bool complete = false;
  Status read = loader.ReadUnitMarks(units, 100, &marks, &complete);
  INFO(read.ToString());
  REQUIRE(read.ok());
  REQUIRE(complete);
  CHECK(marks.size() == 4);
  for (const std::string user : {"u1", "u2", "u3"}) {
    for (const std::string& unit : units) {
      INFO(user << " " << unit);
      std::optional<StoredCheckpoint> mark;
      std::optional<StoredUnitRejects> kept;
      REQUIRE(loader.ReadCheckpoint(user, kUnitDoneEntity, unit, &mark).ok());
      REQUIRE(loader.ReadUnitRejects(user, unit, &kept).ok());
      const StoredUnitMark* found = nullptr;
      for (const StoredUnitMark& stored : marks) {
        if (stored.user_id == user && stored.unit == unit) found = &stored;
      }
      REQUIRE((found != nullptr) == mark.has_value());
      if (found == nullptr) continue;
      CHECK(found->mark.run_id == mark->run_id);
      CHECK(found->mark.position == mark->position);
      CHECK(found->mark.token == mark->token);
      if (found->kept_left_out) {
        // Longer than the 100 bytes asked for: the caller reads it alone.
        REQUIRE(kept.has_value());
        CHECK(kept->body.size() > 100);
        CHECK_FALSE(found->kept.has_value());
        continue;
      }
      REQUIRE(found->kept.has_value() == kept.has_value());
      if (!kept) continue;
      CHECK(found->kept->run_id == kept->run_id);
      CHECK(found->kept->position == kept->position);
      CHECK(found->kept->body == kept->body);
    }
  }
  // Only the units named.
  marks.clear();
  REQUIRE(loader.ReadUnitMarks({"c.json"}, 100, &marks, &complete).ok());
  REQUIRE(marks.size() == 1);
  CHECK(marks[0].user_id == "u2");
  CHECK(marks[0].mark.position == 14);
}

}  // namespace ferry::unit_marks_testing
