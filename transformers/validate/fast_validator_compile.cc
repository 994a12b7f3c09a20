// FastValidator::Compile: the schema document to a tree of FastNodes (fast_node.h).
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "transformers/validate/fast_node.h"
#include "transformers/validate/fast_validator.h"
#include "transformers/validate/rfc3339_format_constraint.h"
#include "transformers/validate/schema_rewrite.h"

namespace ferry {

using nlohmann::json;

namespace {

// Keywords valijson reads and this check does not model: their subschema is unknown.
constexpr std::string_view kFastUnmodelledKeywords[] = {"oneOf",
                                                        "not",
                                                        "if",
                                                        "then",
                                                        "else",
                                                        "dependencies",
                                                        "contains",
                                                        "propertyNames",
                                                        "multipleOf",
                                                        "divisibleBy",
                                                        "additionalItems",
                                                        "patternProperties",
                                                        "extends",
                                                        "disallow"};

// Keywords valijson reads without constraining the value (or that only name schemas).
constexpr std::string_view kFastAnnotationKeywords[] = {
    "$schema", "$comment", "title",    "description", "definitions",      "$defs",
    "default", "examples", "readOnly", "writeOnly",   "contentMediaType", "contentEncoding"};

// A non-negative integer keyword value, as valijson accepts it; false for anything else.
bool FastCountOf(const json& value, uint64_t* out) {
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return *out <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value.get<int64_t>());
    return true;
  }
  return false;
}

bool FastValueSetOf(const json& values, FastValueSet* set) {
  for (const json& value : values) {
    if (value.is_string()) {
      set->strings.push_back(value.get<std::string>());
    } else if (value.is_null()) {
      set->null_ok = true;
    } else if (value.is_boolean()) {
      (value.get<bool>() ? set->true_ok : set->false_ok) = true;
    }
    // Other members (numbers, arrays, objects) are not modelled: a value equal to one of them
    // is simply not proven valid.
  }
  return true;
}

class FastCompiler {
 public:
  FastCompiler(const json& root, std::vector<std::unique_ptr<FastNode>>* nodes)
      : root_(root), nodes_(nodes) {}

  bool nested_id() const { return nested_id_; }

  FastNode* Node(const json& schema) {
    if (auto it = compiled_.find(&schema); it != compiled_.end()) return it->second;
    nodes_->push_back(std::make_unique<FastNode>());
    FastNode* node = nodes_->back().get();
    compiled_.emplace(&schema, node);
    Fill(schema, node);
    return node;
  }

 private:
  // Compiles `schema` into `node`. Recursion follows the schema's nesting, which
  // RewriteSchemaForValijson bounded (kMaxSchemaNesting).
  void Fill(const json& schema, FastNode* node) {
    if (schema.is_boolean()) {
      node->unknown = !schema.get<bool>();  // `false` is never valid: leave it to valijson
      return;
    }
    if (!schema.is_object()) {
      node->unknown = true;
      return;
    }
    if (&schema != &root_ && (schema.contains("$id") || schema.contains("id"))) nested_id_ = true;
    // Schemas only named by $ref are compiled too, so that a nested "$id" anywhere is seen.
    for (const char* keyword : {"definitions", "$defs"}) {
      if (auto it = schema.find(keyword); it != schema.end() && it->is_object()) {
        for (const json& definition : *it) Node(definition);
      }
    }
    if (auto it = schema.find("$ref"); it != schema.end()) {
      std::string pointer;
      const json* target =
          it->is_string() ? ResolveLocalRef(root_, it->get<std::string>(), &pointer) : nullptr;
      if (target == nullptr) {
        node->unknown = true;
      } else {
        node->ref = Node(*target);
      }
      return;
    }
    for (auto member = schema.begin(); member != schema.end(); ++member) {
      if (!Keyword(member.key(), member.value(), schema, node)) {
        node->unknown = true;
        return;
      }
    }
  }

  // Compiles one keyword; false when it makes the subschema unknown.
  bool Keyword(const std::string& key, const json& value, const json& schema, FastNode* node) {
    for (std::string_view annotation : kFastAnnotationKeywords) {
      if (key == annotation) return true;
    }
    if (key == "$id" || key == "id") return true;  // see nested_id_
    for (std::string_view unmodelled : kFastUnmodelledKeywords) {
      if (key == unmodelled) return false;
    }
    if (key == "type") return Types(value, &node->types);
    if (key == "enum" || key == "const") {
      if (key == "enum" && !value.is_array()) return false;
      node->value_sets.emplace_back();
      return FastValueSetOf(key == "enum" ? value : json::array({value}), &node->value_sets.back());
    }
    if (key == "minLength") return FastCountOf(value, &node->min_length);
    if (key == "maxLength") return FastCountOf(value, &node->max_length);
    if (key == "minItems") return FastCountOf(value, &node->min_items);
    if (key == "maxItems") return FastCountOf(value, &node->max_items);
    if (key == "minProperties") return FastCountOf(value, &node->min_properties);
    if (key == "maxProperties") return FastCountOf(value, &node->max_properties);
    if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
        key == "exclusiveMaximum") {
      return Bound(key, value, node);
    }
    if (key == "format") {
      node->other_format = true;  // ferry moved date, time and date-time away
      return value.is_string();
    }
    if (key == kRfc3339FormatKeyword) {
      if (!value.is_object()) return false;
      const auto format = value.find("format");
      if (format == value.end() || !format->is_string()) return false;
      node->rfc3339_format = format->get<std::string>();
      return IsRfc3339Format(node->rfc3339_format);
    }
    if (key == kBoundedPatternKeyword) {
      if (!value.is_object() || !value.contains("regex") || !value["regex"].is_string()) {
        return false;
      }
      try {
        node->pattern = CompileBoundedPattern(value["regex"].get<std::string>(), "");
      } catch (const std::exception&) {
        return false;
      }
      return true;
    }
    if (key == "required") {
      if (!value.is_array()) return false;
      for (const json& name : value) {
        if (!name.is_string() ||
            name.get_ref<const std::string&>().find('\0') != std::string::npos) {
          return false;
        }
        node->required.push_back(name.get<std::string>());
      }
      return true;
    }
    if (key == "properties" || key == "additionalProperties") {
      if (node->has_properties) return true;  // both filled by the first one seen
      return Properties(schema, node);
    }
    if (key == "items") {
      if (!value.is_object() && !value.is_boolean()) return false;  // tuples: not modelled
      node->items = Node(value);
      return true;
    }
    if (key == "uniqueItems") return value.is_boolean() && !value.get<bool>();
    if (key == "allOf" || key == "anyOf") {
      if (!value.is_array() || value.empty()) return false;
      auto& list = key == "allOf" ? node->all_of : node->any_of;
      for (const json& branch : value) list.push_back(Node(branch));
      return true;
    }
    // Any other keyword is one valijson ignores (draft-07 has no more constraints, and ferry
    // registers no other builder).
    return key.rfind("x-ferry-", 0) != 0;
  }

  static bool Types(const json& value, uint8_t* types) {
    auto one = [&](const json& name) {
      if (!name.is_string()) return false;
      static const std::pair<std::string_view, uint8_t> kNames[] = {
          {"array", kArrayBit},  {"boolean", kBooleanBit}, {"integer", kIntegerBit},
          {"null", kNullBit},    {"number", kNumberBit},   {"object", kObjectBit},
          {"string", kStringBit}};
      for (const auto& [type_name, bit] : kNames) {
        if (name.get_ref<const std::string&>() == type_name) {
          *types |= bit;
          return true;
        }
      }
      return false;
    };
    if (value.is_string()) return one(value);
    if (!value.is_array() || value.empty()) return false;
    for (const json& name : value) {
      if (!one(name)) return false;
    }
    return true;
  }

  static bool Bound(const std::string& key, const json& value, FastNode* node) {
    if (!value.is_number_integer() && !value.is_number_float()) return false;
    const double bound = value.get<double>();  // as valijson's asDouble() reads it
    node->has_bounds = true;
    // A second bound of the same direction: keep the stricter reading of both.
    if (key == "minimum" && bound >= node->minimum) {
      if (bound > node->minimum) node->exclusive_minimum = false;
      node->minimum = bound;
    } else if (key == "exclusiveMinimum" && bound >= node->minimum) {
      node->minimum = bound;
      node->exclusive_minimum = true;
    } else if (key == "maximum" && bound <= node->maximum) {
      if (bound < node->maximum) node->exclusive_maximum = false;
      node->maximum = bound;
    } else if (key == "exclusiveMaximum" && bound <= node->maximum) {
      node->maximum = bound;
      node->exclusive_maximum = true;
    }
    return true;
  }

  bool Properties(const json& schema, FastNode* node) {
    node->has_properties = true;
    if (auto it = schema.find("properties"); it != schema.end()) {
      if (!it->is_object()) return false;
      for (auto member = it->begin(); member != it->end(); ++member) {
        // valijson looks a property up by its C string: a NUL would cut the name.
        if (member.key().find('\0') != std::string::npos) return false;
        node->properties.emplace_back(member.key(), Node(member.value()));
      }
    }
    node->additional = FastAcceptAll();
    if (auto it = schema.find("additionalProperties"); it != schema.end()) {
      if (it->is_boolean()) {
        if (!it->get<bool>()) node->additional = nullptr;
      } else if (it->is_object()) {
        node->additional = Node(*it);
      } else {
        return false;
      }
    }
    // Telling a duplicate key from a second property uses one bit per property.
    return node->additional != nullptr || node->properties.size() <= 64;
  }

  const json& root_;
  std::vector<std::unique_ptr<FastNode>>* nodes_;
  std::unordered_map<const json*, FastNode*> compiled_;
  bool nested_id_ = false;
};

}  // namespace

std::unique_ptr<FastValidator> FastValidator::Compile(const json& schema) {
  std::unique_ptr<FastValidator> validator(new FastValidator());
  FastCompiler compiler(schema, &validator->nodes_);
  const FastNode* root = compiler.Node(schema);
  if (compiler.nested_id() || root->unknown) return nullptr;
  return validator;
}

}  // namespace ferry
