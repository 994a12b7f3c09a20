#include "transformers/validate/schema_locate.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry::schema_locate_test {
namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({
  "definitions": {"when": {"type": "string"}},
  "properties": {
    "at": {"$ref": "#/definitions/when"},
    "pair": {"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false},
    "list": {"items": {"properties": {"n": {"type": "integer"}}}},
    "mixed": {"allOf": [{"properties": {"x": {"type": "null"}}}]}
  },
  "additionalProperties": {"type": "boolean"}})");

std::string Locate(const std::vector<SchemaStep>& steps) {
  std::string location;
  return LocateSubschema(kSchema, steps, &location) != nullptr ? location : "(unknown)";
}

TEST_CASE("LocateSubschema: follows properties, items and $ref", "[transformers][validate]") {
  CHECK(Locate({}) == "#");
  CHECK(Locate({{"at", false}}) == "#/definitions/when");
  CHECK(Locate({{"pair", false}, {"1", true}}) == "#/properties/pair/items/1");
  CHECK(Locate({{"pair", false}, {"2", true}}) == "#/properties/pair/additionalItems");
  CHECK(Locate({{"list", false}, {"7", true}, {"n", false}}) ==
        "#/properties/list/items/properties/n");
  CHECK(Locate({{"other", false}}) == "#/additionalProperties");
  CHECK(Locate({{"mixed", false}, {"x", false}}) == "#/properties/mixed/allOf/0/properties/x");
}

TEST_CASE("LocateSubschema: gives up where the schema says nothing", "[transformers][validate]") {
  CHECK(Locate({{"at", false}, {"deeper", false}}) == "(unknown)");
  CHECK(Locate({{"list", false}, {"0", true}, {"m", false}}) == "(unknown)");
  CHECK(Locate({{"mixed", false}, {"y", false}}) == "(unknown)");
  CHECK(Locate({{"list", false}, {"99999999999999999999", true}}) == "#/properties/list/items");
}

}  // namespace
}  // namespace ferry::schema_locate_test
