#include "transformers/validate/schema_rewrite.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "transformers/validate/bounded_pattern_constraint.h"
#include "transformers/validate/rfc3339_format_constraint.h"
#include "transformers/validate/schema_validator.h"

namespace ferry::schema_rewrite_test {
namespace {

using nlohmann::json;

std::vector<SchemaViolation> ValidateJson(const SchemaValidator& validator,
                                          const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  REQUIRE(parser.parse(text).get(record) == simdjson::SUCCESS);
  return validator.Validate(record);
}

std::unique_ptr<SchemaValidator> MustCompile(const std::string& schema) {
  auto compiled = SchemaValidator::Compile(schema, "test.schema.json");
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return std::move(compiled).value();
}

// Nests `levels` schemas: {"type": "object", "properties": {"a": {...}}}.
std::string NestedPropertiesSchema(int levels) {
  std::string schema;
  for (int i = 0; i < levels; ++i) schema += R"({"type": "object", "properties": {"a": )";
  schema += "{}";
  for (int i = 0; i < levels; ++i) schema += "}}";
  return schema;
}

TEST_CASE("RewriteSchemaForValijson: pattern and date formats move to ferry's keywords",
          "[transformers][validate]") {
  json schema = json::parse(R"({
    "properties": {
      "a": {"type": "string", "pattern": "^x", "format": "date-time"},
      "b": {"items": {"format": "date"}},
      "c": {"format": "email"}
    }})");
  REQUIRE(RewriteSchemaForValijson(&schema).ok());
  const json& a = schema["properties"]["a"];
  CHECK_FALSE(a.contains("pattern"));
  CHECK_FALSE(a.contains("format"));
  CHECK(a[kBoundedPatternKeyword] == json({{"regex", "^x"}, {"at", "#/properties/a/pattern"}}));
  CHECK(a[kRfc3339FormatKeyword] ==
        json({{"format", "date-time"}, {"at", "#/properties/a/format"}}));
  CHECK(schema["properties"]["b"]["items"][kRfc3339FormatKeyword]["at"] ==
        "#/properties/b/items/format");
  // Formats valijson does not check by regex stay where they are.
  CHECK(schema["properties"]["c"]["format"] == "email");
}

TEST_CASE("RewriteSchemaForValijson: enum and const values are data, not schemas",
          "[transformers][validate]") {
  json schema = json::parse(R"({"enum": [{"pattern": "x"}], "const": {"format": "date"}})");
  REQUIRE(RewriteSchemaForValijson(&schema).ok());
  CHECK(schema["enum"][0] == json({{"pattern", "x"}}));
  CHECK(schema["const"] == json({{"format", "date"}}));
}

TEST_CASE("SchemaValidator: properties literally named pattern and format stay properties",
          "[transformers][validate]") {
  const auto validator = MustCompile(R"({
    "type": "object",
    "required": ["pattern"],
    "properties": {
      "pattern": {"type": "string", "pattern": "^[a-z]+$"},
      "format": {"type": "integer"},
      "patternProperties": {"type": "boolean"}
    },
    "additionalProperties": false})");
  CHECK(ValidateJson(*validator, R"({"pattern": "abc", "format": 3, "patternProperties": true})")
            .empty());
  auto violations = ValidateJson(*validator, R"({"pattern": 5})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/pattern");
  CHECK(violations[0].schema_location == "#/properties/pattern/type");
  violations = ValidateJson(*validator, R"({"pattern": "ABC"})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/pattern");
  CHECK(violations[0].schema_location == "#/properties/pattern/pattern");
  violations = ValidateJson(*validator, R"({"format": 3})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == "missing required property \"pattern\"");
}

TEST_CASE("SchemaValidator: patternProperties is refused at Compile", "[transformers][validate]") {
  const std::string schema =
      GENERATE(as<std::string>{}, R"({"patternProperties": {"^x": {"type": "string"}}})",
               R"({"properties": {"a": {"patternProperties": {}}}})",
               R"({"definitions": {"d": {"patternProperties": {"(a+)+": {}}}}})",
               R"({"items": [{"type": "object"}, {"patternProperties": {}}]})");
  INFO(schema);
  const auto compiled = SchemaValidator::Compile(schema, "pp.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(),
             Catch::Contains("pp.schema.json") && Catch::Contains("\"patternProperties\""));
}

TEST_CASE("SchemaValidator: ferry's private keywords are reserved", "[transformers][validate]") {
  for (const char* keyword : {kBoundedPatternKeyword, kRfc3339FormatKeyword}) {
    const json schema = {{"properties", {{"a", {{keyword, {{"regex", "x"}, {"at", "#"}}}}}}}};
    const auto compiled = SchemaValidator::Compile(schema.dump(), "r.schema.json");
    REQUIRE_FALSE(compiled.ok());
    CHECK_THAT(compiled.status().message(), Catch::Contains("reserved"));
  }
}

TEST_CASE("SchemaValidator: a schema nested thousands of levels is refused, not a crash",
          "[transformers][validate]") {
  const int levels = GENERATE(200, 5000, 100000);
  const auto compiled = SchemaValidator::Compile(NestedPropertiesSchema(levels), "deep.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(), Catch::Contains("deep.json") && Catch::Contains("nest"));
}

TEST_CASE("SchemaValidator: a schema nested to the limit compiles", "[transformers][validate]") {
  // 127 schemas are 255 JSON levels, just within kMaxSchemaNesting.
  const auto validator = MustCompile(NestedPropertiesSchema(127));
  CHECK(ValidateJson(*validator, R"({"a": {"a": {"a": {}}}})").empty());
  const auto violations = ValidateJson(*validator, R"({"a": {"a": 5}})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/a/a");
}

TEST_CASE("SchemaValidator: self-referencing schemas that never descend are refused",
          "[transformers][validate]") {
  const std::string schema = GENERATE(
      as<std::string>{}, R"({"$ref": "#"})", R"({"allOf": [{"$ref": "#"}]})",
      R"({"not": {"$ref": "#"}})", R"({"anyOf": [{"type": "string"}, {"$ref": "#"}]})",
      R"({"if": {"$ref": "#"}})",
      R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
          "properties": {"x": {"$ref": "#/definitions/a"}}})",
      R"({"definitions": {"a": {"oneOf": [{"$ref": "#/definitions/b"}]},
                          "b": {"allOf": [{"$ref": "#/definitions/a"}]}},
          "items": {"$ref": "#/definitions/a"}})",
      R"({"dependencies": {"x": {"$ref": "#"}}})");
  INFO(schema);
  const auto compiled = SchemaValidator::Compile(schema, "loop.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(),
             Catch::Contains("loop.schema.json") && Catch::Contains("refers to itself"));
}

TEST_CASE("SchemaValidator: a $ref to another document is refused, never followed (issue 21)",
          "[transformers][validate][corrupt]") {
  // Found by tests/fuzz json_schema: valijson resolves a relative reference ("x") in the
  // current document as the whole document, so {"$ref": "x"} at the root recursed until the
  // stack overflowed.
  const std::string ref = GENERATE(as<std::string>{}, "x", "x#", "3/definitions/a",
                                   "other.json#/definitions/a", "urn:x", "http://e.invalid/s#");
  const std::string schema =
      R"({"definitions": {"a": {"$ref": ")" + ref + R"("}}, "$ref": ")" + ref + R"("})";
  INFO(ref);
  const auto compiled = SchemaValidator::Compile(schema, "remote.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(),
             Catch::Contains("remote.schema.json") && Catch::Contains("another document"));
}

TEST_CASE("SchemaValidator: a long chain of $ref hops is refused", "[transformers][validate]") {
  json definitions = json::object();
  for (int i = 0; i < 1000; ++i) {
    definitions["d" + std::to_string(i)] = {
        {"allOf", {{{"$ref", "#/definitions/d" + std::to_string(i + 1)}}}}};
  }
  definitions["d1000"] = {{"type", "string"}};
  const json schema = {{"definitions", definitions}, {"$ref", "#/definitions/d0"}};
  const auto compiled = SchemaValidator::Compile(schema.dump(), "chain.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
}

TEST_CASE("SchemaValidator: a long chain of descending $refs is refused",
          "[transformers][validate]") {
  json definitions = json::object();
  for (int i = 0; i < 1000; ++i) {
    definitions["d" + std::to_string(i)] = {
        {"properties", {{"next", {{"$ref", "#/definitions/d" + std::to_string(i + 1)}}}}}};
  }
  definitions["d1000"] = json::object();
  const json schema = {{"definitions", definitions}, {"$ref", "#/definitions/d0"}};
  const auto compiled = SchemaValidator::Compile(schema.dump(), "chain.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK_THAT(compiled.status().message(), Catch::Contains("subschemas deep"));
}

TEST_CASE("SchemaValidator: a recursive tree schema validates and points into the tree",
          "[transformers][validate]") {
  const auto validator = MustCompile(R"({
    "definitions": {
      "node": {
        "type": "object",
        "required": ["name"],
        "properties": {
          "name": {"type": "string", "pattern": "^[a-z]+$"},
          "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}
        }
      }
    },
    "$ref": "#/definitions/node"})");
  CHECK(ValidateJson(*validator,
                     R"({"name": "root", "children": [{"name": "a"}, {"name": "b",
                         "children": [{"name": "c", "children": []}]}]})")
            .empty());
  const auto violations = ValidateJson(
      *validator,
      R"({"name": "root", "children": [{"name": "a"}, {"name": "b", "children": [{"name": "C"}, {}]}]})");
  REQUIRE(violations.size() == 2);
  CHECK(violations[0].pointer == "/children/1/children/0/name");
  CHECK(violations[0].schema_location == "#/definitions/node/properties/name/pattern");
  CHECK(violations[1].pointer == "/children/1/children/1/name");
  CHECK(violations[1].reason == "missing required property \"name\"");
}

TEST_CASE("SchemaValidator: $ref tokens are unescaped like valijson does",
          "[transformers][validate]") {
  const auto validator = MustCompile(R"({
    "definitions": {"a/b": {"type": "string"}, "c~d": {"type": "integer"}, "e f": {"type": "null"}},
    "properties": {
      "x": {"$ref": "#/definitions/a~1b"},
      "y": {"$ref": "#/definitions/c~0d"},
      "z": {"$ref": "#/definitions/e%20f"}
    }})");
  CHECK(ValidateJson(*validator, R"({"x": "s", "y": 1, "z": null})").empty());
  CHECK(ValidateJson(*validator, R"({"x": 1, "y": "s", "z": 0})").size() == 3);
}

TEST_CASE("SchemaValidator: a ~ an escape decodes to does not start another escape",
          "[transformers][validate]") {
  // "~01" is "~1" (not "/"), "~~1" is "~/": each escape decodes once, left to right.
  const auto validator = MustCompile(R"({
    "definitions": {"~1": {"type": "boolean"}, "~/": {"type": "integer"}, "/": {"type": "null"}},
    "properties": {
      "v": {"$ref": "#/definitions/~01"},
      "w": {"$ref": "#/definitions/~~1"}
    }})");
  CHECK(ValidateJson(*validator, R"({"v": true, "w": 1})").empty());
  CHECK(ValidateJson(*validator, R"({"v": null, "w": null})").size() == 2);
}

TEST_CASE("SchemaValidator: a $ref to a non-schema location is walked as a schema",
          "[transformers][validate]") {
  // OpenAPI-style containers are not draft-07 keywords, but $ref may point into them.
  const auto validator = MustCompile(R"({
    "components": {"date": {"type": "string", "format": "date", "pattern": "^2"}},
    "properties": {"d": {"$ref": "#/components/date"}}})");
  CHECK(ValidateJson(*validator, R"({"d": "2023-02-28"})").empty());
  const auto violations = ValidateJson(*validator, R"({"d": "2023-02-30"})");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].schema_location == "#/components/date/format");
}

}  // namespace
}  // namespace ferry::schema_rewrite_test
