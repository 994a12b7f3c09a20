#include "agent/propose/key_groups.h"

#include <catch2/catch.hpp>

namespace ferry::propose::key_groups_test {
namespace {

Entry Item(std::string key, std::string value, std::string origin = "http://a") {
  Entry entry;
  entry.origin = std::move(origin);
  entry.key = std::move(key);
  entry.value = std::move(value);
  return entry;
}

const KeyGroup* Find(const std::vector<KeyGroup>& groups, const std::string& name) {
  for (const KeyGroup& group : groups) {
    if ((group.prefix.empty() ? group.key : group.prefix) == name) return &group;
  }
  return nullptr;
}

TEST_CASE("KeyGroups: keys grouped by the part before their last colon", "[agent][propose]") {
  KeyGroups groups;
  for (const char* key : {"note:1", "note:2", "note:3"}) {
    REQUIRE(groups.Add(Item(key, R"({"id":1,"text":"x"})")).ok());
  }
  REQUIRE(groups.Add(Item("kanban:cards:1", R"([{"id":1}])")).ok());
  REQUIRE(groups.Add(Item("kanban:boards", R"([{"id":1}])")).ok());
  REQUIRE(groups.Add(Item("theme", "dark")).ok());
  REQUIRE(groups.Add(Item("ends:", "1")).ok());
  std::vector<KeyGroup> all = groups.Finish();
  REQUIRE(all.size() == 5);
  CHECK(all[0].prefix == "kanban:cards:");  // the longest prefix first: it must match first
  const KeyGroup* notes = Find(all, "note:");
  REQUIRE(notes);
  CHECK(notes->keys == 3);
  CHECK(notes->Kind() == ValueKind::kObject);
  CHECK(notes->records.records() == 3);
  CHECK(Find(all, "kanban:")->Kind() == ValueKind::kArrayOfObjects);
  CHECK(Find(all, "theme")->Kind() == ValueKind::kText);
  CHECK(Find(all, "ends:")->Kind() == ValueKind::kScalar);  // a key ending in ':' is itself
}

TEST_CASE("KeyGroups: siblings that differ in a middle part fold into their parent",
          "[agent][propose]") {
  KeyGroups groups;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(groups.Add(Item("rnd:" + std::to_string(i) + ":x", "text")).ok());
  }
  REQUIRE(groups.Add(Item("pair:a:1", "t")).ok());
  REQUIRE(groups.Add(Item("pair:b:1", "t")).ok());
  std::vector<KeyGroup> all = groups.Finish();
  const KeyGroup* folded = Find(all, "rnd:");
  REQUIRE(folded);
  CHECK(folded->keys == 5);
  CHECK(folded->examples.size() == kMaxExamples);
  CHECK(Find(all, "pair:a:"));  // two siblings are not yet a pattern
  CHECK_FALSE(Find(all, "pair:"));
}

TEST_CASE("KeyGroups: kinds of values and secrets by key name or value", "[agent][propose]") {
  KeyGroups groups;
  REQUIRE(groups.Add(Item("authToken", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln")).ok());
  REQUIRE(groups.Add(Item("session", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln")).ok());
  REQUIRE(groups.Add(Item("mixed", "[1,2]")).ok());
  REQUIRE(groups.Add(Item("count", "42")).ok());
  REQUIRE(groups.Add(Item("x", "1", "http://b")).ok());
  std::vector<KeyGroup> all = groups.Finish();
  CHECK(Find(all, "authToken")->secret == "its name contains \"token\"");
  CHECK(Find(all, "session")->secret == "its value is a JSON Web Token");
  CHECK(Find(all, "mixed")->Kind() == ValueKind::kOtherArray);
  CHECK(Find(all, "count")->Kind() == ValueKind::kScalar);
  CHECK(groups.origins() == 2);
}

}  // namespace
}  // namespace ferry::propose::key_groups_test
