#include "transformers/validate/bounded_pattern_constraint.h"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "transformers/validate/schema_validator.h"

namespace ferry::bounded_pattern_constraint_test {
namespace {

std::unique_ptr<SchemaValidator> PatternValidator(const std::string& pattern) {
  const nlohmann::json schema = {{"type", "string"}, {"pattern", pattern}};
  auto compiled = SchemaValidator::Compile(schema.dump(), "pattern.schema.json");
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return std::move(compiled).value();
}

std::vector<SchemaViolation> ValidateString(const SchemaValidator& validator,
                                            const std::string& value) {
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  REQUIRE(parser.parse(nlohmann::json(value).dump()).get(record) == simdjson::SUCCESS);
  return validator.Validate(record);
}

TEST_CASE("BoundedPattern: matches anywhere in the string, as JSON Schema says",
          "[transformers][validate]") {
  const auto validator = PatternValidator("b+");
  CHECK(ValidateString(*validator, "abbbc").empty());
  const auto violations = ValidateString(*validator, "ac");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "");
  CHECK(violations[0].schema_location == "#/pattern");
  CHECK(violations[0].reason == R"("ac" does not match pattern "b+")");
}

TEST_CASE("BoundedPattern: UTF-8 strings are matched by code point", "[transformers][validate]") {
  const auto validator = PatternValidator("^.{3}$");
  CHECK(ValidateString(*validator, "日本語").empty());
  CHECK(ValidateString(*validator, "🚀🐛✅").empty());
  CHECK(ValidateString(*validator, "abcd").size() == 1);
}

TEST_CASE("BoundedPattern: ECMAScript \\u escapes and $ at the very end",
          "[transformers][validate]") {
  const auto upper = PatternValidator("^[\\u0041-\\u005A]+$");
  CHECK(ValidateString(*upper, "ABC").empty());
  CHECK(ValidateString(*upper, "abc").size() == 1);
  // ECMAScript's $ does not match before a final newline (PCRE's default would).
  CHECK(ValidateString(*upper, "ABC\n").size() == 1);
}

TEST_CASE("BoundedPattern: only strings are constrained", "[transformers][validate]") {
  const nlohmann::json schema = {{"pattern", "^x$"}};
  const auto validator = SchemaValidator::Compile(schema.dump(), "p.json");
  REQUIRE(validator.ok());
  for (const char* record : {"42", "null", "[\"y\"]", "{\"a\": \"y\"}", "true"}) {
    simdjson::dom::parser parser;
    CHECK((*validator)->Validate(parser.parse(std::string(record)).value_unsafe()).empty());
  }
}

TEST_CASE("BoundedPattern: catastrophic backtracking fails on its budget, quickly",
          "[transformers][validate]") {
  const std::string pattern =
      GENERATE(as<std::string>{}, "^(a+)+$", "^(a|a)+$", "^(a|aa)+$", "^(\\w+\\s?)*$");
  INFO(pattern);
  const auto validator = PatternValidator(pattern);
  const std::string hostile = std::string(38, 'a') + "!";
  const auto violations = ValidateString(*validator, hostile);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "");
  CHECK_THAT(violations[0].reason, Catch::Contains("exceeded its match budget"));
  // The same pattern on an easy input answers normally.
  CHECK(ValidateString(*validator, "aaaa").empty());
}

TEST_CASE("BoundedPattern: a long input against a hostile pattern stays bounded",
          "[transformers][validate]") {
  const auto validator = PatternValidator("^(([a-z])+.)+[A-Z]([a-z])+$");
  const auto violations = ValidateString(*validator, std::string(100000, 'a'));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason.size() < 300);  // the long value is not repeated
}

TEST_CASE("BoundedPattern: patterns PCRE2 cannot compile are InvalidArgument",
          "[transformers][validate]") {
  const std::string pattern =
      GENERATE(as<std::string>{}, "(", "[a-", "a{2,1}", "\\", "(?<n>a)(?<n>b)",
               std::string(10000, '(') + "a" + std::string(10000, ')'));
  const nlohmann::json schema = {{"properties", {{"p", {{"pattern", pattern}}}}}};
  const auto compiled = SchemaValidator::Compile(schema.dump(), "regex.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(),
             Catch::Contains("regex.schema.json") &&
                 Catch::Contains("pattern at #/properties/p/pattern does not compile"));
}

TEST_CASE("BoundedPattern: a long pattern is named by its location", "[transformers][validate]") {
  const std::string pattern = "^(" + std::string(80, 'x') + ")$";
  const auto validator = PatternValidator(pattern);
  const auto violations = ValidateString(*validator, "y");
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].reason == "\"y\" does not match the pattern at #/pattern");
}

TEST_CASE("BoundedPattern: propertyNames patterns run through PCRE2 too",
          "[transformers][validate]") {
  const nlohmann::json schema = {{"propertyNames", {{"pattern", "^[a-z]+$"}}}};
  const auto compiled = SchemaValidator::Compile(schema.dump(), "names.json");
  REQUIRE(compiled.ok());
  simdjson::dom::parser parser;
  CHECK((*compiled)->Validate(parser.parse(std::string(R"({"abc": 1})")).value_unsafe()).empty());
  const auto violations =
      (*compiled)->Validate(parser.parse(std::string(R"({"aBc": 1})")).value_unsafe());
  REQUIRE(violations.size() == 1);  // valijson says nothing specific for propertyNames
  CHECK(violations[0].pointer == "");
}

}  // namespace
}  // namespace ferry::bounded_pattern_constraint_test
