#include "agent/propose/record_profile.h"

#include <catch2/catch.hpp>

namespace ferry::propose::record_profile_test {
namespace {

void AddAll(RecordProfile* profile, const char* json_array) {
  simdjson::dom::parser parser;
  for (simdjson::dom::element record : parser.parse(std::string(json_array)).get_array()) {
    profile->Add(record);
  }
}

TEST_CASE("RecordProfile: kinds, presence, date-times and usual kinds of each field",
          "[agent][propose]") {
  RecordProfile profile;
  std::string records = "[";
  for (int i = 0; i < 19; ++i) {
    records += R"({"id":)" + std::to_string(i) +
               R"(,"title":"t","createdAt":"2023-01-09T17:31:09.233Z","ms":1673285469233},)";
  }
  records += R"({"id":19,"title":7,"createdAt":"not a date","extra":null}])";
  AddAll(&profile, records.c_str());
  CHECK(profile.records() == 20);
  const FieldProfile* title = profile.Find("title");
  REQUIRE(title);
  CHECK(title->kinds == (kString | kInt));
  CHECK(title->UsualKinds() == kString);  // 1 in 20 is bad data, not the app's type
  CHECK(profile.Find("createdAt")->date_times == 19);
  CHECK(profile.Find("ms")->epoch_ms == 19);
  CHECK(profile.Find("extra")->UsualKinds() == kNull);
  CHECK(profile.Find("id")->present == 20);
}

TEST_CASE("RecordProfile: secret fields by name and by value, nested ones with their path",
          "[agent][propose]") {
  RecordProfile profile;
  AddAll(&profile, R"([{"apiKey":"k","config":{"region":"eu","githubToken":"ghp_x",
                        "deep":{"a.b":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"}}}])");
  CHECK(profile.Find("apiKey")->secret == "its name contains \"apikey\"");
  REQUIRE(profile.nested_secrets().size() == 2);
  CHECK(profile.nested_secrets()[0].path == "config.githubToken");
  CHECK(profile.nested_secrets()[1].path == "config.deep.a\\.b");
  CHECK(profile.nested_secrets()[1].reason == "its value is a JSON Web Token");
}

TEST_CASE("RecordProfile: fields are bounded, and Merge adds counts", "[agent][propose]") {
  RecordProfile many;
  std::string record = "[{";
  for (size_t i = 0; i < kMaxFields + 10; ++i) record += "\"f" + std::to_string(i) + "\":1,";
  record.back() = '}';
  record += "]";
  AddAll(&many, record.c_str());
  CHECK(many.fields().size() == kMaxFields);
  CHECK(many.too_many_fields());
  RecordProfile a;
  RecordProfile b;
  AddAll(&a, R"([{"x":1}])");
  AddAll(&b, R"([{"x":"s","y":true}])");
  a.Merge(b);
  CHECK(a.records() == 2);
  CHECK(a.Find("x")->kinds == (kInt | kString));
  CHECK(a.Find("y")->present == 1);
}

}  // namespace
}  // namespace ferry::propose::record_profile_test
