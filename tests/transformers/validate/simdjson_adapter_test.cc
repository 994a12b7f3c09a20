#include "transformers/validate/simdjson_adapter.h"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <vector>

namespace ferry::simdjson_adapter_test {
namespace {

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element element;
  REQUIRE(parser.parse(json).get(element) == simdjson::SUCCESS);
  return element;
}

TEST_CASE("SimdjsonAdapter: reports each JSON type strictly", "[transformers][validate]") {
  simdjson::dom::parser parser;
  const auto doc = Parse(parser, R"([1, 1.5, "s", true, null, [], {}, 18446744073709551615])");
  std::vector<SimdjsonAdapter> values;
  for (const SimdjsonAdapter value : SimdjsonAdapter(doc).getArray()) values.push_back(value);
  REQUIRE(values.size() == 8);
  CHECK(values[0].isInteger());
  CHECK(values[0].getInteger() == 1);
  CHECK(values[1].isDouble());
  CHECK_FALSE(values[1].isInteger());
  CHECK(values[1].getDouble() == 1.5);
  CHECK(values[2].isString());
  CHECK(values[2].getString() == "s");
  CHECK(values[3].isBool());
  CHECK(values[4].isNull());
  CHECK(values[5].isArray());
  CHECK(values[5].getArraySize() == 0);
  CHECK(values[6].isObject());
  CHECK(values[6].getObjectSize() == 0);
  // Beyond int64: an integer for "type" (draft-07), read as a double (valijson's integers are
  // int64).
  CHECK(values[7].isNumber());
  CHECK(values[7].isInteger());
  CHECK(values[7].isDouble());
  CHECK(values[7].getDouble() == Approx(1.8446744073709552e19));
  for (const auto& value : values) CHECK(value.hasStrictTypes());
}

TEST_CASE("SimdjsonAdapter: a number with a zero fraction is an integer, as draft-07 says",
          "[transformers][validate]") {
  simdjson::dom::parser parser;
  const auto doc = Parse(parser, R"([101.0, 1e2, 101.5])");
  std::vector<SimdjsonAdapter> values;
  for (const SimdjsonAdapter value : SimdjsonAdapter(doc).getArray()) values.push_back(value);
  REQUIRE(values.size() == 3);
  CHECK(values[0].isInteger());
  CHECK(values[0].getInteger() == 101);
  CHECK(values[1].isInteger());
  CHECK_FALSE(values[2].isInteger());
  CHECK(values[2].isNumber());
}

TEST_CASE("SimdjsonAdapter: wrong-type getters fail instead of guessing",
          "[transformers][validate]") {
  simdjson::dom::parser parser;
  const SimdjsonAdapter text(Parse(parser, R"("12")"));
  int64_t integer = 0;
  double number = 0;
  bool flag = false;
  size_t size = 0;
  CHECK_FALSE(text.getInteger(integer));
  CHECK_FALSE(text.getDouble(number));
  CHECK_FALSE(text.getBool(flag));
  CHECK_FALSE(text.getArraySize(size));
  CHECK_FALSE(text.getObjectSize(size));
  CHECK_THROWS(text.getObject());
  CHECK_THROWS(text.getArray());
}

TEST_CASE("SimdjsonAdapter: objects iterate and find members", "[transformers][validate]") {
  simdjson::dom::parser parser;
  const SimdjsonAdapter object(Parse(parser, R"({"a": 1, "b\u0000c": 2, "é": 3})"));
  const SimdjsonObject members = object.getObject();
  CHECK(members.size() == 3);
  std::vector<std::string> names;
  for (const SimdjsonObjectMember member : members) names.push_back(member.first);
  CHECK(names == std::vector<std::string>{"a", std::string("b\0c", 3), "é"});
  REQUIRE(members.find("é") != members.end());
  CHECK((*members.find("é")).second.getInteger() == 3);
  CHECK(members.find(std::string("b\0c", 3)) != members.end());
  CHECK(members.find("b") == members.end());
  CHECK(members.find("") == members.end());
}

TEST_CASE("SimdjsonAdapter: equality agrees with nlohmann's adapter", "[transformers][validate]") {
  simdjson::dom::parser parser;
  const std::string a = R"({"x": [1, 2.5, "s", null, {"y": true}]})";
  const SimdjsonAdapter ours(Parse(parser, a));
  const nlohmann::json same = nlohmann::json::parse(a);
  const nlohmann::json other = nlohmann::json::parse(R"({"x": [1, 2.5, "s", null, {"y": false}]})");
  CHECK(valijson::adapters::NlohmannJsonAdapter(same).equalTo(ours, true));
  CHECK(ours.equalTo(valijson::adapters::NlohmannJsonAdapter(same), true));
  CHECK_FALSE(ours.equalTo(valijson::adapters::NlohmannJsonAdapter(other), true));
}

TEST_CASE("SimdjsonAdapter: a frozen copy outlives the document", "[transformers][validate]") {
  std::unique_ptr<valijson::adapters::FrozenValue> frozen;
  {
    simdjson::dom::parser parser;
    frozen.reset(SimdjsonAdapter(Parse(parser, R"({"k": ["v", 1]})")).freeze());
  }
  const nlohmann::json expected = {{"k", {"v", 1}}};
  CHECK(frozen->equalTo(valijson::adapters::NlohmannJsonAdapter(expected), true));
  CHECK_FALSE(frozen->equalTo(valijson::adapters::NlohmannJsonAdapter(nlohmann::json(1)), true));
}

TEST_CASE("SimdjsonAdapter: array iterators step back for uniqueItems",
          "[transformers][validate]") {
  simdjson::dom::parser parser;
  const SimdjsonArray array = SimdjsonAdapter(Parse(parser, "[10, 20, 30]")).getArray();
  auto last = array.end();
  --last;
  CHECK((*last).getInteger() == 30);
  --last;
  CHECK((*last).getInteger() == 20);
  CHECK(array.size() == 3);
}

TEST_CASE("SimdjsonAdapter: a default adapter is an empty object", "[transformers][validate]") {
  const SimdjsonAdapter empty;
  CHECK(empty.isObject());
  CHECK(empty.getObjectSize() == 0);
  CHECK(SimdjsonArray().size() == 0);
  CHECK(SimdjsonArray().begin() == SimdjsonArray().end());
  CHECK(SimdjsonObject().find("x") == SimdjsonObject().end());
}

}  // namespace
}  // namespace ferry::simdjson_adapter_test
