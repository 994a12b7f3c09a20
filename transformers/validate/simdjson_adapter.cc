#include "transformers/validate/simdjson_adapter.h"

#include <nlohmann/json.hpp>

namespace ferry {
namespace {

// The empty object that valijson expects a default-constructed value to be. Parsed once; the
// parser lives (and is never reused) for the rest of the process.
simdjson::dom::element EmptyObjectElement() {
  static const simdjson::dom::element element = [] {
    static simdjson::dom::parser parser;
    static const simdjson::padded_string json(std::string_view("{}"));
    return parser.parse(json).value_unsafe();
  }();
  return element;
}

}  // namespace

SimdjsonValue::SimdjsonValue() : element_(EmptyObjectElement()) {}

valijson::adapters::FrozenValue* SimdjsonValue::freeze() const {
  // Through text: simdjson's serializer and nlohmann's parser are both iterative, so even a
  // deeply nested value cannot exhaust the stack here.
  return new valijson::adapters::NlohmannJsonFrozenValue(
      nlohmann::json::parse(simdjson::minify(element_)));
}

}  // namespace ferry
