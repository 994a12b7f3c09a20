#include "transformers/validate/stack_budget.h"

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "transformers/validate/schema_validator.h"

namespace ferry::stack_budget_test {
namespace {

// `levels` nested arrays: [[[...]]]; `leaf` at the bottom.
std::string NestedArrays(size_t levels, const std::string& leaf = "") {
  return std::string(levels, '[') + leaf + std::string(levels, ']');
}

std::unique_ptr<SchemaValidator> MustCompile(const std::string& schema) {
  auto compiled = SchemaValidator::Compile(schema, "deep.schema.json");
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return std::move(compiled).value();
}

// simdjson's parser refuses more than 1024 levels unless told otherwise.
std::vector<SchemaViolation> ValidateDeep(const SchemaValidator& validator,
                                          const std::string& json) {
  simdjson::dom::parser parser;
  REQUIRE(parser.allocate(json.size() + 64, json.size() + 64) == simdjson::SUCCESS);
  simdjson::dom::element record;
  REQUIRE(parser.parse(json).get(record) == simdjson::SUCCESS);
  return validator.Validate(record);
}

TEST_CASE("StackBudget: Check is a no-op without an open budget", "[transformers][validate]") {
  CHECK_NOTHROW(StackBudget::Check());
}

TEST_CASE("StackBudget: a budget trips once the stack grows past it, and scopes nest",
          "[transformers][validate]") {
  StackBudget outer(1 << 20);
  CHECK_NOTHROW(StackBudget::Check());
  {
    StackBudget inner(0);  // nothing left below this frame
    std::function<void(int)> recurse = [&](int depth) {
      volatile char pad[256] = {};
      (void)pad;
      StackBudget::Check();
      if (depth > 0) recurse(depth - 1);
    };
    CHECK_THROWS_AS(recurse(100), StackBudgetExceeded);
  }
  CHECK_NOTHROW(StackBudget::Check());  // the outer budget is back
}

TEST_CASE("SchemaValidator: a record nested 10,000 levels deep against a recursive schema",
          "[transformers][validate]") {
  const auto validator = MustCompile(R"({"type": "array", "items": {"$ref": "#"}})");
  CHECK(ValidateDeep(*validator, NestedArrays(50)).empty());
  const auto violations = ValidateDeep(*validator, NestedArrays(10000));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "");
  CHECK_THAT(violations[0].reason, Catch::Contains("10000 levels deep"));
}

TEST_CASE("SchemaValidator: a deep record of objects is stopped on another thread too",
          "[transformers][validate]") {
  // The budget is per thread; objects take a different valijson path than arrays.
  const auto validator = MustCompile(
      R"({"type": "object", "properties": {"a": {"$ref": "#"}}, "additionalProperties": false})");
  std::string deep;
  for (int i = 0; i < 20000; ++i) deep += R"({"a":)";
  deep += "{}" + std::string(20000, '}');
  std::vector<SchemaViolation> violations;
  std::thread worker([&] { violations = ValidateDeep(*validator, deep); });
  worker.join();
  REQUIRE(violations.size() == 1);
  CHECK_THAT(violations[0].reason, Catch::Contains("too deep to validate"));
}

TEST_CASE("SchemaValidator: a deep record is fine when the schema does not recurse",
          "[transformers][validate]") {
  const auto validator = MustCompile(R"({"type": "object", "properties": {"payload": {}}})");
  const std::string deep = R"({"payload":)" + NestedArrays(10000) + "}";
  CHECK(ValidateDeep(*validator, deep).empty());
}

TEST_CASE("SchemaValidator: deep equal items under uniqueItems do not overflow",
          "[transformers][validate]") {
  const auto validator = MustCompile(R"({"uniqueItems": true})");
  const std::string item = NestedArrays(10000, "1");
  const auto violations = ValidateDeep(*validator, "[" + item + "," + item + "]");
  REQUIRE(violations.size() == 1);
  CHECK_THAT(violations[0].reason, Catch::Contains("too deep to validate"));
  // Shallow duplicates are found as usual.
  const auto shallow = ValidateDeep(*validator, "[[1], [2], [1]]");
  REQUIRE(shallow.size() == 1);
  CHECK_THAT(shallow[0].reason, Catch::Contains("must be unique"));
}

}  // namespace
}  // namespace ferry::stack_budget_test
