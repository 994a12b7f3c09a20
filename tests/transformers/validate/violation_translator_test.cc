#include "transformers/validate/violation_translator.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "transformers/json_records.h"
#include "transformers/validate/schema_validator.h"

namespace ferry::violation_translator_test {
namespace {

std::vector<SchemaViolation> Check(const std::string& schema, const std::string& record) {
  auto compiled = SchemaValidator::Compile(schema, "t.schema.json");
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  // As migrate reads a record: numbers simdjson refuses are kept as their text.
  Result<ScannedValue> scanned = ScanJsonRecords(record, SourceShape::kRecord);
  REQUIRE(scanned.ok());
  std::string text(scanned->Text(record));
  REQUIRE(parser.parse(text).get(element) == simdjson::SUCCESS);
  return (*compiled)->Validate(element);
}

TEST_CASE("TranslateViolations: pointers escape ~ and / (RFC 6901)", "[transformers][validate]") {
  const auto violations =
      Check(R"({"properties": {"a/b~c": {"type": "string"}}})", R"({"a/b~c": 1})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/a~1b~0c");
  CHECK(violations[0].schema_location == "#/properties/a~1b~0c/type");
}

TEST_CASE("TranslateViolations: member names that look like indexes or brackets",
          "[transformers][validate]") {
  const auto violations =
      Check(R"({"properties": {"0": {"type": "string"}, "[x]": {"type": "string"}}})",
            R"({"0": 1, "[x]": 2})");
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].pointer == "/0");
  CHECK(violations[1].pointer == "/[x]");
}

TEST_CASE("TranslateViolations: an unexpected property points at itself",
          "[transformers][validate]") {
  const auto violations = Check(R"({"properties": {"a": {}}, "additionalProperties": false})",
                                R"({"a": 1, "secret": "hunter2"})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/secret");
  CHECK(violations[0].schema_location == "#/additionalProperties");
  CHECK(violations[0].reason == "property \"secret\" is not allowed (additionalProperties)");
}

TEST_CASE("TranslateViolations: number and size limits read as sentences",
          "[transformers][validate]") {
  const std::string schema = R"({"properties": {
      "n": {"minimum": 1.5, "maximum": 10},
      "m": {"multipleOf": 3},
      "s": {"minLength": 2, "maxLength": 3},
      "a": {"minItems": 1, "maxItems": 2},
      "o": {"minProperties": 1}}})";
  CHECK(Check(schema, R"({"n": 1})")[0].reason == "number 1 is less than the minimum 1.5");
  CHECK(Check(schema, R"({"n": 11})")[0].reason == "number 11 is greater than the maximum 10");
  CHECK(Check(schema, R"({"m": 4})")[0].reason == "number 4 is not a multiple of 3");
  CHECK(Check(schema, R"({"s": "x"})")[0].reason ==
        "string \"x\" is shorter than the minimum length 2");
  CHECK(Check(schema, R"({"s": "xxxx"})")[0].reason ==
        "string is longer than the maximum length 3");
  CHECK(Check(schema, R"({"a": []})")[0].reason == "array has fewer than 1 items");
  CHECK(Check(schema, R"({"a": [1, 2, 3]})")[0].reason == "array has more than 2 items");
  CHECK(Check(schema, R"({"o": {}})")[0].reason == "object has fewer than 1 properties");
  CHECK(Check(schema, R"({"n": 11})")[0].schema_location == "#/properties/n/maximum");
}

TEST_CASE("TranslateViolations: long strings are not repeated in reasons",
          "[transformers][validate]") {
  const std::string long_value(200, 'x');
  const auto violations =
      Check(R"({"properties": {"k": {"enum": ["a"]}}})", R"({"k": ")" + long_value + R"("})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == "value is not one of \"a\"");
}

TEST_CASE("TranslateViolations: a null is named once", "[transformers][validate]") {
  const auto violations =
      Check(R"({"properties": {"title": {"type": "string"}}})", R"({"title": null})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == "expected string, got null");
  CHECK(Check(R"({"type": "object"})", "null")[0].reason == "expected object, got null");
}

TEST_CASE("TranslateViolations: control characters in values stay escaped",
          "[transformers][validate]") {
  const auto violations =
      Check(R"({"properties": {"k": {"type": "integer"}}})", R"({"k": "a\nb\u0001"})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == R"(expected integer, got string "a\nb\u0001")");
}

TEST_CASE("TranslateViolations: not, const, contains and dependencies",
          "[transformers][validate]") {
  CHECK(Check(R"({"not": {"type": "string"}})", R"("s")")[0].reason ==
        "value matches the schema under \"not\"");
  CHECK(Check(R"({"const": 1})", "2")[0].reason == "2 is not the constant the schema requires");
  CHECK(Check(R"({"contains": {"type": "string"}})", "[1]")[0].reason ==
        "no item matches the \"contains\" schema");
  const auto dependency = Check(R"({"dependencies": {"a": ["b"]}})", R"({"a": 1})");
  REQUIRE(dependency.size() == 1);
  CHECK_THAT(dependency[0].reason, Catch::Contains("\"b\""));
}

TEST_CASE("TranslateViolations: errors inside allOf keep their own pointer and location",
          "[transformers][validate]") {
  // valijson's allOf stops at its first failing branch.
  const auto violations =
      Check(R"({"allOf": [{"properties": {"a": {"type": "string"}}}, {"required": ["b"]}]})",
            R"({"a": 1})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/a");
  CHECK(violations[0].schema_location == "#/allOf/0/properties/a/type");
  CHECK(violations[0].reason == "expected string, got integer 1");
}

TEST_CASE("TranslateViolations: big numbers and 101.0 are integers, shown as written",
          "[transformers][validate]") {
  const std::string schema = R"({"properties": {"n": {"type": "string"}}})";
  CHECK(Check(schema, R"({"n": 18446744073709552000})").at(0).reason ==
        "expected string, got integer 18446744073709552000");
  CHECK(Check(schema, R"({"n": 1e400})").at(0).reason == "expected string, got number 1e400");
  CHECK(Check(schema, R"({"n": 18446744073709551615})").at(0).reason ==
        "expected string, got integer 18446744073709551615");
  const std::string integer = R"({"properties": {"n": {"type": "integer", "maximum": 5}}})";
  CHECK(Check(integer, R"({"n": 3.0})").empty());
  CHECK(Check(integer, R"({"n": 18446744073709551615})").size() == 1);  // above the maximum
  CHECK(Check(R"({"properties": {"n": {"type": "integer"}}})", R"({"n": 18446744073709552000})")
            .empty());
}

TEST_CASE("TranslateViolations: a type list reads as alternatives", "[transformers][validate]") {
  const auto violations =
      Check(R"({"properties": {"d": {"type": ["string", "null"]}}})", R"({"d": 3.5})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == "expected string or null, got number 3.5");
}

}  // namespace
}  // namespace ferry::violation_translator_test
