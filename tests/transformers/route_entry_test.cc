#include "transformers/route_entry.h"

#include <catch2/catch.hpp>

#include "transformers/records_of_value.h"

namespace ferry::route_entry_test {

namespace {
Mapping TwoEntities() {
  Mapping m;
  EntityMapping tasks;
  tasks.name = "tasks";
  tasks.source.keys = {"tasks"};
  EntityMapping forms;
  forms.name = "form_data";
  forms.source.key_prefix = "formData:";
  forms.source.origin = "http://a";
  m.entities = {tasks, forms};
  return m;
}
Entry MakeEntry(std::string key, std::string origin = "http://a") {
  Entry e;
  e.key = std::move(key);
  e.origin = std::move(origin);
  return e;
}
}  // namespace

TEST_CASE("RouteEntry: exact keys, prefixes and origins", "[transformers][route_entry]") {
  Mapping m = TwoEntities();
  CHECK(RouteEntry(m, MakeEntry("tasks")).entity == &m.entities[0]);
  Route form = RouteEntry(m, MakeEntry("formData:profile"));
  CHECK(form.entity == &m.entities[1]);
  CHECK(form.key_suffix == "profile");
  CHECK(RouteEntry(m, MakeEntry("formData:profile", "http://b")).entity == nullptr);
  CHECK(RouteEntry(m, MakeEntry("formData:")).entity == nullptr);
  CHECK(RouteEntry(m, MakeEntry("theme")).entity == nullptr);
  CHECK(RouteEntry(m, MakeEntry("Tasks")).entity == nullptr);
}

TEST_CASE("RecordsOfValue: shapes and mismatches", "[transformers][records_of_value]") {
  simdjson::dom::parser parser;
  int count = 0;
  auto visit = [&count](const RecordRef&) { ++count; };
  CHECK(
      RecordsOfValue(parser.parse(std::string(R"([{},{},{}])")), SourceShape::kArray, visit).ok());
  CHECK(count == 3);
  count = 0;
  CHECK(RecordsOfValue(parser.parse(std::string(R"({"a":{},"b":{}})")), SourceShape::kObject, visit)
            .ok());
  CHECK(count == 2);
  Status wrong =
      RecordsOfValue(parser.parse(std::string(R"({"a":1})")), SourceShape::kArray, visit);
  CHECK(wrong.IsCorruption());
  CHECK(wrong.message().find("found an object") != std::string::npos);
  CHECK(
      RecordsOfValue(parser.parse(std::string("[]")), SourceShape::kObject, visit).IsCorruption());
}

}  // namespace ferry::route_entry_test

namespace ferry::route_entry_test {

TEST_CASE("RouteEntry: `ignore` names keys no entity takes, never over an entity",
          "[transformers][route_entry]") {
  Mapping m = TwoEntities();
  EntitySource secrets;
  secrets.keys = {"authToken", "", "tasks"};
  EntitySource caches;
  caches.key_prefix = "cache:";
  caches.origin = "http://a";
  m.ignored = {secrets, caches};
  CHECK(RouteEntry(m, MakeEntry("authToken")).ignored);
  CHECK(RouteEntry(m, MakeEntry("")).ignored);
  CHECK(RouteEntry(m, MakeEntry("cache:1")).ignored);
  CHECK_FALSE(RouteEntry(m, MakeEntry("cache:1", "http://b")).ignored);
  Route tasks = RouteEntry(m, MakeEntry("tasks"));
  CHECK(tasks.entity == &m.entities[0]);
  CHECK_FALSE(tasks.ignored);
  CHECK_FALSE(RouteEntry(m, MakeEntry("theme")).ignored);
}

}  // namespace ferry::route_entry_test
