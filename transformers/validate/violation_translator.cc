#include "transformers/validate/violation_translator.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "transformers/validate/schema_locate.h"
#include "transformers/validate/schema_rewrite.h"
#include "transformers/validate/violation_text.h"

namespace ferry {
namespace {

using nlohmann::json;

// Most alternative failures folded into a "oneOf"/"anyOf" reason.
constexpr size_t kMaxFoldedReasons = 4;
// Longest list of enum values repeated in a reason, in bytes.
constexpr size_t kMaxShownEnum = 80;

enum class Kind {
  kSpecific,     // says what is wrong with the value at its pointer
  kGeneric,      // "a child failed": useless once a child error is reported
  kAlternative,  // "no oneOf/anyOf alternative matched": folds the alternatives' errors
};

struct Item {
  std::string pointer;
  std::string location;
  std::string reason;
  Kind kind = Kind::kSpecific;
  bool dropped = false;
};

bool IsUnderOrAt(std::string_view pointer, std::string_view parent) {
  return pointer.size() >= parent.size() && pointer.substr(0, parent.size()) == parent &&
         (pointer.size() == parent.size() || pointer[parent.size()] == '/');
}

size_t Depth(std::string_view pointer) { return std::count(pointer.begin(), pointer.end(), '/'); }

// Walks valijson's context through the record: the steps (member or item), the JSON pointer,
// and the value there (an invalid element when the walk leaves the record).
struct Position {
  std::vector<SchemaStep> steps;
  std::string pointer;
  simdjson::dom::element value;
  bool has_value = false;
};

Position Locate(const std::vector<std::string>& context, simdjson::dom::element record) {
  Position position;
  position.value = record;
  position.has_value = true;
  for (size_t i = 0; i < context.size(); ++i) {
    const std::string& token = context[i];
    if (i == 0 && token == "<root>") continue;
    std::string name = token;
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
      name = name.substr(1, name.size() - 2);
    }
    bool is_index = false;
    if (position.has_value && position.value.is_array()) {
      is_index = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
      simdjson::dom::element item;
      position.has_value = is_index && name.size() < 10 &&
                           position.value.at(std::stoul(name)).get(item) == simdjson::SUCCESS;
      position.value = item;
    } else if (position.has_value && position.value.is_object()) {
      simdjson::dom::element member;
      position.has_value =
          position.value.get_object().value_unsafe().at_key(name).get(member) == simdjson::SUCCESS;
      position.value = member;
    } else {
      position.has_value = false;
    }
    position.pointer += "/" + EscapePointerToken(name);
    position.steps.push_back(SchemaStep{std::move(name), is_index});
  }
  return position;
}

// "1.000000" -> "1", "2.500000" -> "2.5": valijson prints limits with std::to_string(double).
std::string TidyNumber(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// The text after `prefix`, when `text` starts with it.
bool After(std::string_view text, std::string_view prefix, std::string* rest) {
  if (!text.starts_with(prefix)) return false;
  *rest = std::string(text.substr(prefix.size()));
  return true;
}

std::string StripQuoted(std::string text) {
  // "'title'." -> "title"
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

class Translator {
 public:
  Translator(simdjson::dom::element record, const json& schema)
      : record_(record), schema_(schema) {}

  Item Translate(const valijson::ValidationResults::Error& error) const {
    Position position = Locate(error.context, record_);
    Item item;
    item.pointer = position.pointer;
    if (DecodeOwnViolation(error.description, &item.location, &item.reason)) return item;

    std::string subschema_location;
    const json* subschema = LocateSubschema(schema_, position.steps, &subschema_location);
    auto at_keyword = [&](std::string_view keyword) {
      if (subschema != nullptr && subschema->contains(keyword)) {
        return subschema_location + "/" + std::string(keyword);
      }
      return subschema != nullptr ? subschema_location : std::string();
    };
    const std::string value = position.has_value ? ShortScalarText(position.value) : "";
    const std::string shown = value.empty() ? "" : " " + value;
    const std::string_view text = error.description;
    std::string rest;

    if (After(text, "Missing required property ", &rest)) {
      const std::string name = StripQuoted(rest);
      item.pointer += "/" + EscapePointerToken(name);
      item.location = at_keyword("required");
      item.reason = "missing required property " + JsonQuote(name);
    } else if (text == "Value type not permitted by 'type' constraint.") {
      item.location = at_keyword("type");
      item.reason = TypeReason(position, subschema);
    } else if (text == "Failed to match against any enum values.") {
      item.location = at_keyword("enum");
      item.reason = (value.empty() ? "value" : value) + " is not one of " + EnumValues(subschema);
    } else if (text == "Failed to match expected value set by 'const' constraint.") {
      item.location = at_keyword("const");
      item.reason = (value.empty() ? "value" : value) + " is not the constant the schema requires";
    } else if (After(text, "String should be no fewer than ", &rest)) {
      item.location = at_keyword("minLength");
      item.reason = "string" + shown + " is shorter than the minimum length " + FirstWord(rest);
    } else if (After(text, "String should be no more than ", &rest)) {
      item.location = at_keyword("maxLength");
      item.reason = "string is longer than the maximum length " + FirstWord(rest);
    } else if (After(text, "Expected number greater than or equal to ", &rest)) {
      item.location = at_keyword("minimum");
      item.reason = "number" + shown + " is less than the minimum " + TidyNumber(rest);
    } else if (After(text, "Expected number greater than ", &rest)) {
      item.location = at_keyword("exclusiveMinimum");
      item.reason = "number" + shown + " must be greater than " + TidyNumber(rest);
    } else if (After(text, "Expected number less than or equal to ", &rest)) {
      item.location = at_keyword("maximum");
      item.reason = "number" + shown + " is greater than the maximum " + TidyNumber(rest);
    } else if (After(text, "Expected number less than ", &rest)) {
      item.location = at_keyword("exclusiveMaximum");
      item.reason = "number" + shown + " must be less than " + TidyNumber(rest);
    } else if (After(text, "Value should be a multiple of ", &rest)) {
      item.location = at_keyword("multipleOf");
      item.reason = "number" + shown + " is not a multiple of " + TidyNumber(rest);
    } else if (After(text, "Array should contain no fewer than ", &rest)) {
      item.location = at_keyword("minItems");
      item.reason = "array has fewer than " + FirstWord(rest) + " items";
    } else if (After(text, "Array should contain no more than ", &rest)) {
      item.location = at_keyword("maxItems");
      item.reason = "array has more than " + FirstWord(rest) + " items";
    } else if (After(text, "Object should have no fewer than ", &rest)) {
      item.location = at_keyword("minProperties");
      item.reason = "object has fewer than " + FirstWord(rest) + " properties";
    } else if (After(text, "Object should have no more than ", &rest)) {
      item.location = at_keyword("maxProperties");
      item.reason = "object has more than " + FirstWord(rest) + " properties";
    } else if (After(text,
                     "Object contains a property that could not be validated using 'properties' "
                     "or 'additionalProperties' constraints: ",
                     &rest)) {
      const std::string name = StripQuoted(rest);
      item.pointer += "/" + EscapePointerToken(name);
      item.location = at_keyword("additionalProperties");
      item.reason = "property " + JsonQuote(name) + " is not allowed (additionalProperties)";
    } else if (text == "Array contains more items than allowed by items constraint." ||
               After(text, "Cannot validate item #", &rest)) {
      item.location = at_keyword("additionalItems");
      item.reason = "array has more items than \"items\" allows";
    } else if (After(text, "Elements at indexes #", &rest)) {
      item.location = at_keyword("uniqueItems");
      item.reason = "array items #" + StripSuffix(rest, " violate uniqueness constraint.") +
                    " are equal, but the items must be unique";
    } else if (After(text, "Missing dependency ", &rest)) {
      item.location = at_keyword("dependencies");
      item.reason = "missing property " + JsonQuote(StripQuoted(rest)) +
                    ", which another property requires (dependencies)";
    } else if (text == "Target should not validate against schema specified in 'not' constraint.") {
      item.location = at_keyword("not");
      item.reason = "value matches the schema under \"not\"";
    } else if (text == "Failed to any values against subschema in 'contains' constraint.") {
      item.location = at_keyword("contains");
      item.reason = "no item matches the \"contains\" schema";
    } else if (text == "Failed to validate against exactly one child schema.") {
      item.location = at_keyword("oneOf");
      item.reason = "value matches more than one of the \"oneOf\" alternatives";
    } else if (text ==
               "Failed to validate against any child schemas allowed by oneOf constraint.") {
      item.kind = Kind::kAlternative;
      item.location = at_keyword("oneOf");
      item.reason = "value matches none of the \"oneOf\" alternatives";
    } else if (text == "Failed to validate against any schemas allowed by anyOf constraint.") {
      item.kind = Kind::kAlternative;
      item.location = at_keyword("anyOf");
      item.reason = "value matches none of the \"anyOf\" alternatives";
    } else if (After(text, "Failed to validate against schema associated with property name ",
                     &rest)) {
      const std::string name = StripQuoted(rest);
      item.kind = Kind::kGeneric;
      item.pointer += "/" + EscapePointerToken(name);
      item.location = at_keyword("properties");
      item.reason = "value of property " + JsonQuote(name) + " does not match its schema";
    } else if (After(text, "Failed to validate item #", &rest)) {
      item.kind = Kind::kGeneric;
      // "... against corresponding item schema." comes with the item's own context already.
      if (rest.find("corresponding item schema") == std::string::npos) {
        item.pointer += "/" + FirstWord(rest);
      }
      item.location = at_keyword("items");
      item.reason = "item does not match its schema";
    } else if (text.starts_with("Failed to validate")) {
      // additional properties, dependent, allOf child, if-then-else: a child said why.
      item.kind = Kind::kGeneric;
      item.location = subschema != nullptr ? subschema_location : std::string();
      item.reason = "value does not match the schema";
    } else {
      item.location = subschema != nullptr ? subschema_location : std::string();
      item.reason = Sentence(text);
    }
    return item;
  }

 private:
  static std::string FirstWord(const std::string& text) {
    return text.substr(0, std::min(text.find(' '), text.size()));
  }

  static std::string StripSuffix(const std::string& text, std::string_view suffix) {
    if (text.size() >= suffix.size() &&
        text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return text.substr(0, text.size() - suffix.size());
    }
    return text;
  }

  // valijson's "Some sentence." as "some sentence".
  static std::string Sentence(std::string_view text) {
    std::string out(text);
    if (!out.empty() && out.back() == '.') out.pop_back();
    if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] + 32);
    return out;
  }

  static std::string TypeReason(const Position& position, const json* subschema) {
    if (!position.has_value) return "value has a type the schema does not allow";
    const std::string_view actual = JsonTypeName(position.value);
    // A null is its own type's only value: "got null", never "got null null".
    const std::string value = actual == "null" ? "" : ShortScalarText(position.value);
    const std::string got = std::string(actual) + (value.empty() ? "" : " " + value);
    std::vector<std::string> expected;
    if (subschema != nullptr) {
      auto type = subschema->find("type");
      if (type != subschema->end() && type->is_string()) {
        expected.push_back(type->get<std::string>());
      } else if (type != subschema->end() && type->is_array()) {
        for (const json& t : *type) {
          if (t.is_string()) expected.push_back(t.get<std::string>());
        }
      }
    }
    // When the located "type" would allow the value, the failing "type" sits elsewhere (in an
    // alternative): do not quote the wrong one.
    const bool consistent =
        !expected.empty() && std::none_of(expected.begin(), expected.end(), [&](const auto& t) {
          return t == actual || (t == "number" && actual == "integer");
        });
    if (!consistent) return got + " is not an allowed type here";
    std::string list;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (i > 0) list += i + 1 == expected.size() ? " or " : ", ";
      list += expected[i];
    }
    return "expected " + list + ", got " + got;
  }

  static std::string EnumValues(const json* subschema) {
    if (subschema != nullptr) {
      auto values = subschema->find("enum");
      if (values != subschema->end() && values->is_array()) {
        std::string list;
        for (const json& v : *values) {
          list +=
              (list.empty() ? "" : ", ") + v.dump(-1, ' ', false, json::error_handler_t::replace);
          if (list.size() > kMaxShownEnum) {
            return "the " + std::to_string(values->size()) + " allowed values";
          }
        }
        return list;
      }
    }
    return "the allowed values";
  }

  simdjson::dom::element record_;
  const json& schema_;
};

// Folds the errors of the alternatives into the "none matched" item at `index`: valijson
// pushes them right before it, at its pointer or below.
void FoldAlternatives(std::vector<Item>& items, size_t index) {
  Item& summary = items[index];
  std::vector<std::string> reasons;
  for (size_t j = index; j-- > 0;) {
    Item& candidate = items[j];
    if (candidate.dropped) continue;
    if (!IsUnderOrAt(candidate.pointer, summary.pointer)) break;
    if (candidate.kind != Kind::kGeneric) {
      std::string reason = candidate.reason;
      if (candidate.pointer != summary.pointer) {
        reason += " (at " + candidate.pointer.substr(summary.pointer.size()) + ")";
      }
      reasons.push_back(std::move(reason));
    }
    candidate.dropped = true;
  }
  std::reverse(reasons.begin(), reasons.end());
  reasons.erase(std::unique(reasons.begin(), reasons.end()), reasons.end());
  for (size_t i = 0; i < reasons.size() && i < kMaxFoldedReasons; ++i) {
    summary.reason += (i == 0 ? ": " : "; ") + reasons[i];
  }
  if (reasons.size() > kMaxFoldedReasons) summary.reason += "; ...";
  summary.kind = Kind::kSpecific;
}

}  // namespace

std::vector<SchemaViolation> TranslateViolations(const valijson::ValidationResults& results,
                                                 simdjson::dom::element record,
                                                 const nlohmann::json& schema,
                                                 size_t max_violations) {
  const Translator translator(record, schema);
  std::vector<Item> items;
  for (const auto& error : results) items.push_back(translator.Translate(error));
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind == Kind::kAlternative) FoldAlternatives(items, i);
  }
  // A generic "child failed" item goes when a specific one explains it.
  for (Item& generic : items) {
    if (generic.dropped || generic.kind != Kind::kGeneric) continue;
    generic.dropped = std::any_of(items.begin(), items.end(), [&](const Item& other) {
      return !other.dropped && other.kind != Kind::kGeneric &&
             IsUnderOrAt(other.pointer, generic.pointer);
    });
  }
  std::vector<Item> kept;
  for (Item& item : items) {
    if (item.dropped) continue;
    const bool duplicate = std::any_of(kept.begin(), kept.end(), [&](const Item& other) {
      return other.pointer == item.pointer && other.reason == item.reason;
    });
    if (!duplicate) kept.push_back(std::move(item));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Item& a, const Item& b) {
    return Depth(a.pointer) > Depth(b.pointer);
  });
  std::vector<SchemaViolation> violations;
  for (Item& item : kept) {
    if (violations.size() >= std::max<size_t>(max_violations, 1)) break;
    violations.push_back(
        SchemaViolation{std::move(item.pointer), std::move(item.location), std::move(item.reason)});
  }
  if (violations.empty()) {
    violations.push_back(SchemaViolation{"", "#", "record does not match the schema"});
  }
  return violations;
}

}  // namespace ferry
