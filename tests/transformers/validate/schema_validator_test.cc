#include "transformers/validate/schema_validator.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_paths.h"

namespace ferry::schema_validator_test {
namespace {

// The peers' task schema (/work/shared/peers/schema/task.schema.json), verbatim: format
// date-time and a date-time pattern, both through $ref.
constexpr char kPeersTaskSchema[] = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://ferry.invalid/schemas/taskapp/task.schema.json",
  "title": "Task: one entry of the taskapp's localStorage 'tasks' array",
  "type": "object",
  "required": ["id", "title", "status", "createdAt", "updatedAt"],
  "properties": {
    "id": {
      "description": "legacy id: 'task-17', 17, or a UUID string",
      "oneOf": [{ "type": "string", "minLength": 1 }, { "type": "integer" }]
    },
    "title": { "type": "string", "minLength": 1 },
    "description": { "type": ["string", "null"] },
    "status": { "enum": ["todo", "in-progress", "done"] },
    "createdAt": { "$ref": "#/definitions/isoDateTime" },
    "updatedAt": { "$ref": "#/definitions/isoDateTime" },
    "tags": { "type": "array", "items": { "type": "string" } },
    "environmentId": {
      "description": "legacy id of an environment of the same user, or null",
      "oneOf": [{ "type": "string", "minLength": 1 }, { "type": "integer" }, { "type": "null" }]
    }
  },
  "additionalProperties": true,
  "definitions": {
    "isoDateTime": {
      "description": "ISO-8601 / RFC 3339 date-time.",
      "type": "string",
      "format": "date-time",
      "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
    }
  }
})json";

constexpr char kValidTask[] = R"json({"id": "task-1", "title": "write tests",
  "description": "café 🚀", "status": "in-progress", "createdAt": "2023-05-01T10:00:00.000Z",
  "updatedAt": "2023-05-02T12:30:00+02:00", "tags": ["work", "🔥"], "environmentId": "env-4"})json";

std::unique_ptr<SchemaValidator> MustCompile(const std::string& schema) {
  auto compiled = SchemaValidator::Compile(schema, "test.schema.json");
  INFO(compiled.status().ToString());
  REQUIRE(compiled.ok());
  return std::move(compiled).value();
}

std::vector<SchemaViolation> ValidateJson(const SchemaValidator& validator, const std::string& json,
                                          size_t max_violations = 8) {
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  REQUIRE(parser.parse(json).get(record) == simdjson::SUCCESS);
  return validator.Validate(record, max_violations);
}

// A valid task with one member replaced by `value` (JSON text), or removed when it is empty.
std::string TaskWith(const std::string& member, const std::string& value) {
  const std::vector<std::pair<std::string, std::string>> members = {
      {"id", "17"},
      {"title", R"("t")"},
      {"status", R"("todo")"},
      {"createdAt", R"("2023-05-01T10:00:00.000Z")"},
      {"updatedAt", R"("2023-05-01T10:00:00.000Z")"},
      {"tags", R"(["a"])"}};
  std::string out;
  for (const auto& [name, default_value] : members) {
    const std::string& v = name == member ? value : default_value;
    if (v.empty()) continue;
    out += (out.empty() ? "{\"" : ",\"") + name + "\":" + v;
  }
  return out + "}";
}

const SchemaViolation* FindAt(const std::vector<SchemaViolation>& violations,
                              const std::string& pointer) {
  for (const auto& v : violations) {
    if (v.pointer == pointer) return &v;
  }
  return nullptr;
}

TEST_CASE("SchemaValidator: the peers' task schema accepts valid tasks",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  CHECK(ValidateJson(*validator, kValidTask).empty());
  CHECK(ValidateJson(*validator, TaskWith("id", "17")).empty());
  CHECK(ValidateJson(*validator, TaskWith("id", R"("6f1c2b9e-4d3a-4c1b-9a7e-2f5d8c0b1a23")"))
            .empty());
  CHECK(ValidateJson(*validator, TaskWith("tags", "")).empty());
  CHECK(ValidateJson(*validator, TaskWith("createdAt", R"("2024-02-29T23:59:59.123456789-05:30")"))
            .empty());
}

TEST_CASE("SchemaValidator: each bad date form is rejected at its pointer",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const std::string bad =
      GENERATE(as<std::string>{}, "2024-13-45", "2023-02-30T25:61:00Z", "not a date", "",
               "1682935200000", "2023-05-01T10:00:00.000", "2023/05/01 10:00:00",
               "2023-02-29T10:00:00Z", "2023-05-01T10:00:00.000Z\n");
  INFO("createdAt = \"" << bad << "\"");
  std::string quoted = "\"";
  for (char c : bad) quoted += c == '\n' ? std::string("\\n") : std::string(1, c);
  quoted += "\"";
  const auto violations = ValidateJson(*validator, TaskWith("createdAt", quoted));
  REQUIRE_FALSE(violations.empty());
  for (const auto& v : violations) CHECK(v.pointer == "/createdAt");
  const SchemaViolation& first = violations.front();
  CHECK(first.schema_location == "#/definitions/isoDateTime/format");
  CHECK_THAT(first.reason, Catch::Contains("is not an RFC 3339 date-time"));
}

TEST_CASE("SchemaValidator: a date given as epoch milliseconds is a type error",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("updatedAt", "1682935200000"));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/updatedAt");
  CHECK(violations[0].schema_location == "#/definitions/isoDateTime/type");
  CHECK(violations[0].reason == "expected string, got integer 1682935200000");
}

TEST_CASE("SchemaValidator: missing title names the property", "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("title", ""));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/title");
  CHECK(violations[0].schema_location == "#/required");
  CHECK(violations[0].reason == "missing required property \"title\"");
}

TEST_CASE("SchemaValidator: title as a number is a type error at /title",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("title", "42"));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/title");
  CHECK(violations[0].schema_location == "#/properties/title/type");
  CHECK(violations[0].reason == "expected string, got integer 42");
}

TEST_CASE("SchemaValidator: tags as a string is a type error at /tags",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("tags", R"("work,home")"));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/tags");
  CHECK(violations[0].schema_location == "#/properties/tags/type");
  CHECK(violations[0].reason == "expected array, got string \"work,home\"");
}

TEST_CASE("SchemaValidator: a bad tag points at its item", "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("tags", R"(["a", 3, "b"])"));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/tags/1");
  CHECK(violations[0].schema_location == "#/properties/tags/items/type");
}

TEST_CASE("SchemaValidator: status archived is not in the enum", "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("status", R"("archived")"));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/status");
  CHECK(violations[0].schema_location == "#/properties/status/enum");
  CHECK(violations[0].reason == R"("archived" is not one of "todo", "in-progress", "done")");
}

TEST_CASE("SchemaValidator: an id matching no oneOf alternative is one violation",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const auto violations = ValidateJson(*validator, TaskWith("id", R"("")"));
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "/id");
  CHECK(violations[0].schema_location == "#/properties/id/oneOf");
  CHECK_THAT(violations[0].reason, Catch::StartsWith("value matches none of the \"oneOf\"") &&
                                       Catch::Contains("shorter than the minimum length 1"));
}

TEST_CASE("SchemaValidator: several faults come deepest first, without generic parents",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const std::string record =
      R"({"id": 1, "status": "archived", "createdAt": "x", "updatedAt": "2023-05-01T10:00:00Z",
          "tags": ["a", ["nested"]]})";
  const auto violations = ValidateJson(*validator, record);
  REQUIRE(violations.size() == 5);  // tags/1, createdAt (format and pattern), status, title
  CHECK(violations[0].pointer == "/tags/1");
  for (const auto& v : violations) {
    CHECK_THAT(v.reason, !Catch::Contains("Failed to validate"));
    CHECK(v.pointer != "");
  }
  CHECK(FindAt(violations, "/status") != nullptr);
  CHECK(FindAt(violations, "/createdAt") != nullptr);
  CHECK(ValidateJson(*validator, record, 2).size() == 2);
  // max_violations 0 still reports that the record failed.
  CHECK(ValidateJson(*validator, record, 0).size() == 1);
}

TEST_CASE("SchemaValidator: a record that is not an object", "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const std::string record = GENERATE(as<std::string>{}, "[]", "null", "\"task\"", "42");
  const auto violations = ValidateJson(*validator, record);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].pointer == "");
  CHECK(violations[0].schema_location == "#/type");
  CHECK_THAT(violations[0].reason, Catch::StartsWith("expected object, got "));
}

TEST_CASE("SchemaValidator: a schema that is not JSON is InvalidArgument naming it",
          "[transformers][validate]") {
  const std::string text = GENERATE(as<std::string>{}, "", "{", "{\"type\": }", "not json",
                                    "{\"type\": \"string\"} trailing");
  const auto compiled = SchemaValidator::Compile(text, "broken.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(),
             Catch::Contains("broken.schema.json") && Catch::Contains("not JSON"));
}

TEST_CASE("SchemaValidator: a schema that is not an object is InvalidArgument",
          "[transformers][validate]") {
  const std::string text = GENERATE(as<std::string>{}, "[]", "true", "42", "\"string\"", "null");
  const auto compiled = SchemaValidator::Compile(text, "odd.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(),
             Catch::Contains("odd.schema.json") && Catch::Contains("must be a JSON object"));
}

TEST_CASE("SchemaValidator: a bad $ref is InvalidArgument naming the schema",
          "[transformers][validate]") {
  const std::string ref =
      GENERATE(as<std::string>{}, "#/definitions/missing", "#/type/x", "#/definitions/a/0",
               "#definitions", "#/%zz", "http://example.invalid/other.json#/a", "other.json");
  const std::string schema = R"({"definitions": {"a": {"type": "string"}},
      "type": "object", "properties": {"x": {"$ref": ")" +
                             ref + R"("}}})";
  INFO(ref);
  const auto compiled = SchemaValidator::Compile(schema, "refs.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(), Catch::Contains("refs.schema.json"));
}

TEST_CASE("SchemaValidator: invalid keyword values are InvalidArgument",
          "[transformers][validate]") {
  const std::string schema =
      GENERATE(as<std::string>{}, R"({"type": 5})", R"({"required": "title"})",
               R"({"properties": {"a": 5}})", R"({"minLength": "three"})", R"({"pattern": 5})",
               R"({"$ref": 5})");
  INFO(schema);
  const auto compiled = SchemaValidator::Compile(schema, "bad.schema.json");
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().IsInvalidArgument());
  CHECK_THAT(compiled.status().message(), Catch::Contains("bad.schema.json"));
}

TEST_CASE("SchemaValidator: the bundled taskapp schemas compile", "[transformers][validate]") {
  for (const char* file : {"task.schema.json", "environment.schema.json"}) {
    const std::string path = std::string(FERRY_SOURCE_DIR) + "/schemas/taskapp/" + file;
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    const auto compiled = SchemaValidator::Compile(text.str(), file);
    INFO(path << ": " << compiled.status().ToString());
    CHECK(compiled.ok());
  }
}

TEST_CASE("SchemaValidator: one validator serves many threads at once",
          "[transformers][validate]") {
  const auto validator = MustCompile(kPeersTaskSchema);
  const std::string bad = TaskWith("createdAt", R"("2023-02-30T10:00:00Z")");
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      simdjson::dom::parser parser;
      simdjson::dom::element good_record = parser.parse(std::string(kValidTask)).value_unsafe();
      simdjson::dom::parser bad_parser;
      simdjson::dom::element bad_record = bad_parser.parse(bad).value_unsafe();
      for (int i = 0; i < 300; ++i) {
        if (!validator->Validate(good_record).empty()) ++wrong[t];
        const auto violations = validator->Validate(bad_record);
        if (violations.empty() || violations[0].pointer != "/createdAt") ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == std::vector<int>(4, 0));
}

}  // namespace
}  // namespace ferry::schema_validator_test
