// A unit's kept rejects (agent/run/unit_rejects.h, issue 19): what EncodeUnitRejects writes
// DecodeUnitRejects reads back field for field (a reject line of the rerun is the first run's
// but for its run id), whatever the text holds; anything else is refused.
#include "agent/run/unit_rejects.h"

#include <catch2/catch.hpp>

namespace ferry::unit_rejects_test {

TEST_CASE("unit rejects: encoded and decoded field for field", "[unit_rejects]") {
  UnitRejects kept;
  kept.file = "dumps/user \"1\".json";
  kept.entities = {{"environments", 5, 5}, {"tasks", 40, 39}};
  Reject reject;
  reject.entity = "tasks";
  reject.where.file = kept.file;
  reject.where.offset = 1234;
  reject.where.line = -1;
  reject.where.column = 7;
  reject.where.origin = "http://127.0.0.1:8000";
  reject.where.key = std::string("tasks\0\x01\xe2\x80\xae", 10);  // NUL, a control, U+202E
  reject.where.index = 17;
  reject.where.pointer = "/status";
  reject.schema_location = "#/properties/status/enum";
  reject.reason = "status: \"archived\" is not one of [\"todo\",\"done\"]\n";
  reject.value = "\"archived\"";
  kept.rejects.emplace_back("user 1", reject);
  Reject bare;
  bare.entity = "(source)";
  bare.reason = "damaged";
  kept.rejects.emplace_back("", bare);

  const std::string body = EncodeUnitRejects(kept);
  Result<UnitRejects> back = DecodeUnitRejects(body);
  INFO(body);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  CHECK(back->file == kept.file);
  REQUIRE(back->entities.size() == 2);
  CHECK(back->entities[1].entity == "tasks");
  CHECK(back->entities[1].read == 40);
  CHECK(back->entities[1].valid == 39);
  REQUIRE(back->rejects.size() == 2);
  const auto& [user, got] = back->rejects[0];
  CHECK(user == "user 1");
  CHECK(got.entity == reject.entity);
  CHECK(got.where.file == reject.where.file);
  CHECK(got.where.offset == 1234);
  CHECK(got.where.line == -1);
  CHECK(got.where.column == 7);
  CHECK(got.where.origin == reject.where.origin);
  CHECK(got.where.key == reject.where.key);
  CHECK(got.where.index == 17);
  CHECK(got.where.pointer == reject.where.pointer);
  CHECK(got.schema_location == reject.schema_location);
  CHECK(got.reason == reject.reason);
  CHECK(got.value == reject.value);
  CHECK(back->rejects[1].first.empty());
  CHECK(!back->rejects[1].second.value);
  CHECK(back->rejects[1].second.where.index == -1);
}

TEST_CASE("unit rejects: a body ferry did not write is refused", "[unit_rejects]") {
  for (const char* body : {"", "not json", "{}", R"({"file":"f","entities":[],"rejects":[[1]]})",
                           R"({"file":"f","entities":[["tasks",1]],"rejects":[]})"}) {
    INFO(body);
    CHECK(!DecodeUnitRejects(body).ok());
  }
  CHECK(DecodeUnitRejects(R"({"file":"f","entities":[],"rejects":[]})").ok());
  // Text that is not UTF-8 (a file name's bytes) is not JSON: such a unit is not kept
  // (UnitProcessor::KeepRejects checks first), and its rerun reads it.
  CHECK(!DecodeUnitRejects("{\"file\":\"\xff\",\"entities\":[],\"rejects\":[]}").ok());
}

}  // namespace ferry::unit_rejects_test
