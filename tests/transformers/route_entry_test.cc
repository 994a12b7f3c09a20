#include "transformers/route_entry.h"

#include <catch2/catch.hpp>

#include "transformers/records_of_value.h"

namespace ferry {

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

}  // namespace ferry
