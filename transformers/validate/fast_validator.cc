#include "transformers/validate/fast_validator.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "transformers/big_number.h"
#include "transformers/validate/bounded_pattern_constraint.h"
#include "transformers/validate/fast_node.h"
#include "transformers/validate/rfc3339_format_constraint.h"
#include "transformers/validate/simdjson_adapter.h"

namespace ferry {
namespace {

bool FastTypeMatches(uint8_t types, const SimdjsonValue& value) {
  return ((types & kArrayBit) && value.isArray()) || ((types & kBooleanBit) && value.isBool()) ||
         ((types & kIntegerBit) && value.isInteger()) || ((types & kNullBit) && value.isNull()) ||
         ((types & kNumberBit) && value.isNumber()) || ((types & kObjectBit) && value.isObject()) ||
         ((types & kStringBit) && value.isString());
}

bool FastInValueSet(const FastValueSet& set, simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: {
      const std::string_view text = element.get_string().value_unsafe();
      for (const std::string& allowed : set.strings) {
        if (allowed == text) return true;
      }
      return false;
    }
    case simdjson::dom::element_type::NULL_VALUE:
      return set.null_ok;
    case simdjson::dom::element_type::BOOL:
      return element.get_bool().value_unsafe() ? set.true_ok : set.false_ok;
    default:
      return false;
  }
}

// Code points as valijson's u8_strlen counts them: lead bytes up to the first NUL.
uint64_t FastCodePoints(std::string_view text) {
  uint64_t count = 0;
  for (const char c : text) {
    if (c == '\0') break;
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }
  return count;
}

// $refs followed in a row before a value is checked.
constexpr size_t kMaxRefHops = 64;

bool FastCheck(const FastNode* node, simdjson::dom::element element, size_t depth);

bool FastCheckString(const FastNode& node, std::string_view text) {
  if (node.min_length > 0 || node.max_length != std::numeric_limits<uint64_t>::max()) {
    const uint64_t length = FastCodePoints(text);
    if (length < node.min_length || length > node.max_length) return false;
  }
  if (!node.rfc3339_format.empty() && !MatchesRfc3339Format(node.rfc3339_format, text)) {
    return false;
  }
  return node.pattern == nullptr || BoundedPatternMatches(*node.pattern, text);
}

bool FastCheckObject(const FastNode& node, simdjson::dom::object object, size_t depth) {
  if (node.min_properties > 0 || node.max_properties != std::numeric_limits<uint64_t>::max()) {
    const size_t size = SimdjsonObject(object).size();
    if (size < node.min_properties || size > node.max_properties) return false;
  }
  for (const std::string& name : node.required) {
    bool found = false;
    for (const auto member : object) {
      if (member.key == name) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  if (!node.has_properties) return true;
  // Every member is checked against its property's schema (a duplicate key too, where
  // valijson checks the first only: stricter, so still sound) or additionalProperties.
  uint64_t seen = 0;
  for (const auto member : object) {
    const FastNode* schema = node.additional;
    for (size_t i = 0; i < node.properties.size(); ++i) {
      if (node.properties[i].first == member.key) {
        schema = node.properties[i].second;
        if (node.additional == nullptr) {
          // additionalProperties false: valijson counts distinct names against the size.
          if (seen & (uint64_t{1} << i)) return false;
          seen |= uint64_t{1} << i;
        }
        break;
      }
    }
    if (schema == nullptr || !FastCheck(schema, member.value, depth + 1)) return false;
  }
  return true;
}

bool FastCheck(const FastNode* node, simdjson::dom::element element, size_t depth) {
  // A chain of $refs uses no stack; Compile() refused cycles that do not descend (SchemaGraph),
  // and the bound guards the loop anyway.
  for (size_t hops = 0; node->ref != nullptr; ++hops) {
    if (hops == kMaxRefHops) return false;
    node = node->ref;
  }
  if (node->unknown || depth > FastValidator::kMaxFastDepth) return false;
  if (node == FastAcceptAll()) return true;
  const simdjson::dom::element_type type = element.type();
  // Numbers beyond double and int64, kept as marked text: valijson's reading of them is
  // subtle (a number for "type", a string for ferry's constraints), so it decides.
  if (type == simdjson::dom::element_type::STRING && BigNumberText(element)) return false;
  const SimdjsonValue value(element);
  if (node->types != 0 && !FastTypeMatches(node->types, value)) return false;
  for (const FastValueSet& set : node->value_sets) {
    if (!FastInValueSet(set, element)) return false;
  }
  switch (type) {
    case simdjson::dom::element_type::STRING:
      if (!FastCheckString(*node, element.get_string().value_unsafe())) return false;
      break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      if (node->has_bounds) {
        double number = 0;
        if (!SimdjsonAdapter(element).asDouble(number)) return false;
        if (node->exclusive_minimum ? number <= node->minimum : number < node->minimum) {
          return false;
        }
        if (node->exclusive_maximum ? number >= node->maximum : number > node->maximum) {
          return false;
        }
      }
      break;
    case simdjson::dom::element_type::OBJECT:
      if (!FastCheckObject(*node, element.get_object().value_unsafe(), depth)) return false;
      break;
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array array = element.get_array().value_unsafe();
      if (node->min_items > 0 || node->max_items != std::numeric_limits<uint64_t>::max()) {
        const size_t size = SimdjsonArray(array).size();
        if (size < node->min_items || size > node->max_items) return false;
      }
      if (node->items != nullptr) {
        for (const simdjson::dom::element item : array) {
          if (!FastCheck(node->items, item, depth + 1)) return false;
        }
      }
      break;
    }
    default:
      break;
  }
  if (node->other_format && type != simdjson::dom::element_type::STRING) return false;
  for (const FastNode* branch : node->all_of) {
    if (!FastCheck(branch, element, depth + 1)) return false;
  }
  if (node->any_of.empty()) return true;
  for (const FastNode* branch : node->any_of) {
    if (FastCheck(branch, element, depth + 1)) return true;
  }
  return false;
}

}  // namespace

const FastNode* FastAcceptAll() {
  static const FastNode accept_all;
  return &accept_all;
}

FastValidator::FastValidator() = default;
FastValidator::~FastValidator() = default;

bool FastValidator::ProvesValid(simdjson::dom::element record) const {
  try {
    return FastCheck(nodes_.front().get(), record, 0);
  } catch (const std::exception&) {
    return false;  // valijson decides
  }
}

}  // namespace ferry
