// FastValidator against valijson: whatever the fast path proves valid, valijson accepts
// (soundness), over the browser fixtures' records, mutations of them and each construct; and
// on real records the fast path proves every valid one (else it saves nothing).
#include "transformers/validate/fast_validator.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_paths.h"
#include "tests/under_sanitizer.h"
#include "transformers/validate/schema_rewrite.h"
#include "transformers/validate/schema_validator.h"

namespace ferry::fast_validator_test {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The fast path and valijson alone, compiled from one schema text.
struct Pair {
  std::unique_ptr<FastValidator> fast;  // null when the root is unknown
  std::unique_ptr<SchemaValidator> valijson;
  std::unique_ptr<SchemaValidator> both;  // SchemaValidator as ferry runs it

  explicit Pair(const std::string& schema_text) {
    json document = json::parse(schema_text);
    REQUIRE(RewriteSchemaForValijson(&document).ok());
    fast = FastValidator::Compile(document);
    auto alone = SchemaValidator::Compile(schema_text, "t.schema.json", false);
    INFO(alone.status().ToString());
    REQUIRE(alone.ok());
    valijson = std::move(alone).value();
    both = std::move(SchemaValidator::Compile(schema_text, "t.schema.json")).value();
  }

  bool Fast(simdjson::dom::element record) const {
    return fast != nullptr && fast->ProvesValid(record);
  }
};

// Counts of one differential run.
struct Tally {
  size_t records = 0;
  size_t valijson_valid = 0;
  size_t fast_valid = 0;
};

// Checks one record text against `pair`: fast-valid implies valijson-valid, and SchemaValidator
// (fast path in front) reports exactly what valijson alone reports.
void Differential(const Pair& pair, const std::string& text, Tally* tally) {
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  if (parser.parse(text).get(record) != simdjson::SUCCESS) return;
  const bool fast = pair.Fast(record);
  const std::vector<SchemaViolation> alone = pair.valijson->Validate(record);
  const std::vector<SchemaViolation> both = pair.both->Validate(record);
  INFO(text);
  if (fast) CHECK(alone.empty());
  REQUIRE(alone.size() == both.size());
  for (size_t i = 0; i < alone.size(); ++i) {
    CHECK(alone[i].pointer == both[i].pointer);
    CHECK(alone[i].schema_location == both[i].schema_location);
    CHECK(alone[i].reason == both[i].reason);
  }
  ++tally->records;
  tally->valijson_valid += alone.empty();
  tally->fast_valid += fast;
}

// Every record-like value of the browser fixtures' expected contents (each stored value that
// is JSON, and the elements and members of those), as JSON texts.
std::vector<std::string> FixtureRecords() {
  std::vector<std::string> records;
  const std::string root = std::string(FERRY_SOURCE_DIR) + "/../shared/fixtures/browser/expected";
  if (!std::filesystem::exists(root)) return records;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".meta.") != std::string::npos || entry.path().extension() != ".json") continue;
    // The unicode scenario writes unpaired surrogates, which nlohmann refuses: no records there.
    const json store = json::parse(ReadFile(entry.path().string()), nullptr, false);
    if (!store.is_object()) continue;
    for (const auto& [origin, keys] : store.items()) {
      for (const auto& [key, value] : keys.items()) {
        if (!value.is_string()) continue;
        const json parsed = json::parse(value.get<std::string>(), nullptr, false);
        if (parsed.is_discarded()) continue;
        records.push_back(parsed.dump());
        if (parsed.is_structured()) {
          for (const json& child : parsed) records.push_back(child.dump());
        }
      }
    }
  }
  return records;
}

// Values a mutation puts in place of a field.
const std::vector<json>& Replacements() {
  static const std::vector<json> values = {1,
                                           -1,
                                           0,
                                           1.5,
                                           1.0,
                                           2.5e300,
                                           json(18446744073709551615ULL),
                                           "",
                                           "x",
                                           "é",
                                           "🚀",
                                           std::string(300, 'a'),
                                           std::string("a\0b", 3),
                                           nullptr,
                                           true,
                                           false,
                                           json::array(),
                                           json::object(),
                                           json::array({"x", 1}),
                                           json::object({{"a", 1}}),
                                           "2023-01-09T17:31:09.233Z",
                                           "2023-02-30T10:00:00Z",
                                           "2023-13-01T00:00:00Z",
                                           "2023-01-09",
                                           "2023-01-09T17:31:09",
                                           "todo",
                                           "done",
                                           "nope"};
  return values;
}

// Mutations of one object record: each field dropped, retyped or replaced, an extra field,
// and (as text) a duplicate of each key before and after the original.
std::vector<std::string> Mutations(const std::string& text) {
  std::vector<std::string> out;
  const json record = json::parse(text);
  if (!record.is_object()) return out;
  for (const auto& [key, value] : record.items()) {
    json dropped = record;
    dropped.erase(key);
    out.push_back(dropped.dump());
    for (const json& replacement : Replacements()) {
      json changed = record;
      changed[key] = replacement;
      out.push_back(changed.dump());
      if (record.size() > 0) {
        const std::string member = json(key).dump() + ":" + replacement.dump();
        out.push_back("{" + member + "," + text.substr(1));
        out.push_back(text.substr(0, text.size() - 1) + "," + member + "}");
      }
    }
  }
  json extra = record;
  extra["x-extra"] = json::object({{"nested", json::array({1, "two"})}});
  out.push_back(extra.dump());
  return out;
}

TEST_CASE("fast path agrees with valijson on the fixtures and their mutations") {
  std::vector<std::string> records = FixtureRecords();
  if (records.empty())
    WARN("no browser fixtures at ../shared/fixtures/browser: built-in records only");
  records.push_back(
      R"({"id":"task-1","title":"t","status":"done","createdAt":"2023-01-09T17:31:09.233Z","updatedAt":"2023-01-09T17:31:09+02:00","tags":["a"],"environmentId":null,"description":"é"})");
  records.push_back(
      R"({"id":101,"name":"env","isActive":true,"config":{"region":"eu","githubToken":"x"},"createdAt":"2023-01-09T17:31:09.233Z"})");
  for (const char* schema_file : {"task.schema.json", "environment.schema.json"}) {
    const Pair pair(ReadFile(std::string(FERRY_SOURCE_DIR) + "/schemas/taskapp/" + schema_file));
    REQUIRE(pair.fast != nullptr);
    Tally plain;
    Tally mutated;
    // Every record as it is; mutations of the first valid ones (each gives ~700 variants). Under
    // ASan those of the first 6, not 24 (~60 s there): more records of one shape re-run the
    // same mutations through the same code; every fixture record is still compared as it is.
    const size_t kMutatedSources = testing::PlainOrSanitized<size_t>(24, 6);
    size_t mutated_sources = 0;
    for (const std::string& record : records) {
      const size_t valid_before = plain.valijson_valid;
      Differential(pair, record, &plain);
      if (plain.valijson_valid == valid_before || ++mutated_sources > kMutatedSources) continue;
      for (const std::string& mutation : Mutations(record)) Differential(pair, mutation, &mutated);
    }
    INFO(schema_file << ": " << plain.records << " records, " << mutated.records << " mutations");
    // Every valid record of real data is proven valid by the fast path.
    CHECK(plain.valijson_valid > 0);
    CHECK(plain.fast_valid == plain.valijson_valid);
    CHECK(mutated.fast_valid > 0);
    CHECK(mutated.fast_valid < mutated.records);
  }
}

// One construct: a schema, values the fast path must prove valid, and more values to compare.
struct Construct {
  const char* schema;
  std::vector<const char*> proven;  // valid, and the fast path must say so
};

// Values every construct is also run over (soundness only).
const std::vector<const char*> kValuePool = {"null",
                                             "true",
                                             "false",
                                             "0",
                                             "1",
                                             "-1",
                                             "1.0",
                                             "1.5",
                                             "-0.0",
                                             "1e308",
                                             "18446744073709551615",
                                             "9223372036854775807",
                                             "-9223372036854775808",
                                             "\"\"",
                                             "\"a\"",
                                             "\"ab\"",
                                             "\"é\"",
                                             "\"🚀🚀\"",
                                             "\"a\\u0000bcd\"",
                                             "\"2023-01-09T17:31:09.233Z\"",
                                             "\"2023-02-30T00:00:00Z\"",
                                             "\"2023-01-09\"",
                                             "\"17:31:09Z\"",
                                             "\"todo\"",
                                             "\"x@y.z\"",
                                             "[]",
                                             "[1]",
                                             "[\"a\",\"b\"]",
                                             "[[1]]",
                                             "[1,1]",
                                             "{}",
                                             R"({"a":1})",
                                             R"({"a":"x"})",
                                             R"({"a":"x","b":2})",
                                             R"({"a":1,"a":"x"})",
                                             R"({"a":"x","a":1})",
                                             R"({"a":"x","a":"y"})",
                                             R"({"b":null})",
                                             R"({"a":{"a":{"a":{}}}})",
                                             R"({"a\u0000":1})",
                                             R"([{"a":1},{"b":2}])"};

const std::vector<Construct>& Constructs() {
  static const std::vector<Construct> constructs = {
      {R"({"type":"string"})", {"\"a\"", "\"\""}},
      {R"({"type":"integer"})", {"1", "1.0", "-1", "18446744073709551615"}},
      {R"({"type":"number"})", {"1.5", "1"}},
      {R"({"type":["null","boolean"]})", {"null", "true"}},
      {R"({"type":["object","array"]})", {"{}", "[]"}},
      {R"({"enum":["todo","done",null,false,1]})", {"\"todo\"", "null", "false"}},
      {R"({"const":"a"})", {"\"a\""}},
      {R"({"minLength":2,"maxLength":2})", {"\"ab\"", "\"🚀🚀\"", "1"}},
      {R"({"maxLength":1})", {"\"é\"", "\"a\\u0000bcd\""}},
      {R"({"minimum":0,"maximum":1})", {"0", "1", "1.0", "\"x\""}},
      {R"({"exclusiveMinimum":0,"exclusiveMaximum":2})", {"1", "1.5"}},
      {R"({"minimum":-1e300,"maximum":1e300})", {"9223372036854775807", "18446744073709551615"}},
      {R"({"properties":{"a":{"type":"string"}}})", {R"({"a":"x"})", R"({"b":null})", "1"}},
      {R"({"properties":{"a":{"type":"string"}},"additionalProperties":false})",
       {R"({"a":"x"})", "{}"}},
      {R"({"additionalProperties":{"type":"integer"}})", {R"({"a":1})", "{}"}},
      {R"({"required":["a"]})", {R"({"a":1})", "[]"}},
      {R"({"minProperties":1,"maxProperties":1})", {R"({"a":1})"}},
      {R"({"items":{"type":"integer"},"minItems":1,"maxItems":2})", {"[1]", "[1,1]"}},
      {R"({"items":false})", {"[]"}},
      {R"({"allOf":[{"type":"string"},{"minLength":1}]})", {"\"a\""}},
      {R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", {"\"a\"", "1"}},
      {R"({"definitions":{"t":{"type":"object","properties":{"a":{"$ref":"#/definitions/t"}}}},"$ref":"#/definitions/t"})",
       {R"({"a":{"a":{"a":{}}}})"}},
      {R"({"items":{"$ref":"#"}})", {"[[1]]", "[]"}},
      {R"({"format":"date-time"})", {"\"2023-01-09T17:31:09.233Z\"", "1"}},
      {R"({"format":"date"})", {"\"2023-01-09\""}},
      {R"({"format":"time"})", {"\"17:31:09Z\""}},
      {R"({"format":"email"})", {"\"x@y.z\""}},
      {R"({"pattern":"^[a-z]+$"})", {"\"ab\"", "1"}},
      {R"({"uniqueItems":false})", {"[1,1]"}},
      {R"({"title":"t","description":"d","default":1,"x-custom":2})", {"1"}},
      {R"({"properties":{"a":true,"b":false}})", {R"({"a":1})", "{}"}},
      // Not modelled: never proven valid.
      {R"({"oneOf":[{"type":"string"},{"type":"integer"}]})", {}},
      {R"({"not":{"type":"string"}})", {}},
      {R"({"if":{"type":"string"},"then":{"minLength":1}})", {}},
      {R"({"uniqueItems":true})", {}},
      {R"({"multipleOf":2})", {}},
      {R"({"items":[{"type":"integer"}]})", {}},
      {R"({"propertyNames":{"maxLength":1}})", {}},
      {R"({"enum":[1,2]})", {}},
      {R"({"properties":{"a":{"$id":"other","type":"string"}}})", {}},
      {R"({"allOf":[false]})", {}},
  };
  return constructs;
}

TEST_CASE("fast path proves each modelled construct and stays sound on every value") {
  for (const Construct& construct : Constructs()) {
    INFO(construct.schema);
    const Pair pair(construct.schema);
    simdjson::dom::parser parser;
    for (const char* value : construct.proven) {
      INFO(value);
      simdjson::dom::element element;
      REQUIRE(parser.parse(std::string(value)).get(element) == simdjson::SUCCESS);
      CHECK(pair.Fast(element));
    }
    Tally tally;
    for (const char* value : kValuePool) Differential(pair, value, &tally);
    if (construct.proven.empty()) CHECK(tally.fast_valid == 0);
  }
}

TEST_CASE("fast path leaves deep records to valijson") {
  const Pair pair(R"({"items":{"$ref":"#"}})");
  REQUIRE(pair.fast != nullptr);
  simdjson::dom::parser parser;
  for (const size_t depth :
       {size_t{10}, size_t{100}, FastValidator::kMaxFastDepth + 10, size_t{5000}}) {
    const std::string text = std::string(depth, '[') + std::string(depth, ']');
    simdjson::dom::parser deep;
    REQUIRE(deep.allocate(text.size() + 64, depth + 8) == simdjson::SUCCESS);
    simdjson::dom::element record;
    REQUIRE(deep.parse(text).get(record) == simdjson::SUCCESS);
    INFO(depth);
    CHECK(pair.Fast(record) == (depth < FastValidator::kMaxFastDepth));
    Tally tally;
    Differential(pair, text.size() < 400 ? text : std::string("[]"), &tally);
  }
}

}  // namespace
}  // namespace ferry::fast_validator_test
