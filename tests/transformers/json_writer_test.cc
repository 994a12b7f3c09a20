#include "transformers/json_writer.h"

#include <catch2/catch.hpp>

namespace ferry::json_writer_test {

namespace {
std::string Write(const std::string& json, const std::vector<std::string>& drop = {}) {
  simdjson::dom::parser parser;
  simdjson::dom::element value = parser.parse(json);
  std::string out;
  AppendJson(value, drop, &out);
  return out;
}
}  // namespace

TEST_CASE("AppendJson: round-trips scalars, arrays and objects", "[transformers][json_writer]") {
  CHECK(Write(R"( {"a" : [1, -2, 3.5, true, false, null, "x"]} )") ==
        R"({"a":[1,-2,3.5,true,false,null,"x"]})");
  CHECK(Write("18446744073709551615") == "18446744073709551615");
}

TEST_CASE("AppendJson: escapes quotes, backslashes and control characters",
          "[transformers][json_writer]") {
  CHECK(Write(R"("a\"b\\c\n\t\u0001")") == R"("a\"b\\c\n\t\u0001")");
  CHECK(Write(R"("café 🚀")") == "\"café 🚀\"");
}

TEST_CASE("AppendJson: a dotted path never drops a member whose name holds the dot",
          "[transformers][json_writer]") {
  const std::string json = R"({"meta.secret":1,"meta":{"secret":2,"k":3}})";
  CHECK(Write(json, {"meta.secret"}) == R"({"meta.secret":1,"meta":{"k":3}})");
  CHECK(Write(json, {R"(meta\.secret)"}) == R"({"meta":{"secret":2,"k":3}})");
}

TEST_CASE("AppendJson: drops nested members by dotted path", "[transformers][json_writer]") {
  CHECK(Write(R"({"a":1,"s":{"t":2,"u":3},"t":4})", {"s.t"}) == R"({"a":1,"s":{"u":3},"t":4})");
  CHECK(Write(R"({"a":1,"b":2})", {"a", "b"}) == "{}");
  CHECK(Write(R"([{"a":1}])", {"a"}) == R"([{"a":1}])");
}

TEST_CASE("AppendJsonString: an embedded NUL stays escaped", "[transformers][json_writer]") {
  std::string out;
  AppendJsonString(std::string("a\0b", 3), &out);
  CHECK(out == "\"a\\u0000b\"");
}

}  // namespace ferry::json_writer_test
