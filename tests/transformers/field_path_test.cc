#include "transformers/field_path.h"

#include <catch2/catch.hpp>

#include "transformers/scalar_text.h"

namespace ferry::field_path_test {

TEST_CASE("FindField: dotted paths and absent members", "[transformers][field_path]") {
  simdjson::dom::parser parser;
  simdjson::dom::element record = parser.parse(std::string(R"({"a":{"b":{"c":7}},"x":[1]})"));
  REQUIRE(FindField(record, "a.b.c"));
  CHECK(int64_t(*FindField(record, "a.b.c")) == 7);
  CHECK_FALSE(FindField(record, "a.z"));
  CHECK_FALSE(FindField(record, "x.0"));
  CHECK_FALSE(FindField(record, ""));
}

TEST_CASE("FindField: a member with a dot in its name is written with \\.",
          "[transformers][field_path]") {
  simdjson::dom::parser parser;
  simdjson::dom::element record =
      parser.parse(std::string(R"({"meta.secret":1,"meta":{"secret":2},"a\\b":{"c":3}})"));
  CHECK(int64_t(*FindField(record, "meta.secret")) == 2);
  CHECK(int64_t(*FindField(record, R"(meta\.secret)")) == 1);
  CHECK(int64_t(*FindField(record, R"(a\\b.c)")) == 3);
  CHECK(FieldPathMembers(R"(x\.y.z)") == std::vector<std::string>{"x.y", "z"});
  CHECK(DottedPathToPointer(R"(meta\.secret)") == "/meta.secret");
  CHECK(DottedPathToPointer("meta.secret") == "/meta/secret");
}

TEST_CASE("PointerIsWithin: inside, equal, and a sibling with the same prefix",
          "[transformers][field_path]") {
  CHECK(PointerIsWithin("/config/githubToken", "config.githubToken"));
  CHECK(PointerIsWithin("/config/githubToken/x", "config.githubToken"));
  CHECK_FALSE(PointerIsWithin("/config/githubTokenX", "config.githubToken"));
  CHECK(DottedPathToPointer("a~b/c") == "/a~0b~1c");
}

TEST_CASE("ScalarToText: ids as text; doubles and objects are not ids",
          "[transformers][scalar_text]") {
  simdjson::dom::parser parser;
  CHECK(ScalarToText(parser.parse(std::string("17"))) == std::optional<std::string>("17"));
  CHECK(ScalarToText(parser.parse(std::string("\"task-17\""))) ==
        std::optional<std::string>("task-17"));
  CHECK_FALSE(ScalarToText(parser.parse(std::string("1.5"))));
  // JavaScript reads 101.0 as 101: the same id.
  CHECK(ScalarToText(parser.parse(std::string("101.0"))) == std::optional<std::string>("101"));
  CHECK_FALSE(ScalarToText(parser.parse(std::string("null"))));
  CHECK_FALSE(ScalarToText(parser.parse(std::string("{}"))));
  std::string long_text = "\"" + std::string(500, 'x') + "\"";
  std::optional<std::string> cut = ShortJsonForReject(parser.parse(long_text));
  REQUIRE(cut);
  CHECK(cut->size() < 220);
}

}  // namespace ferry::field_path_test
