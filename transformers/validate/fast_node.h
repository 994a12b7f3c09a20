// FastNode: one compiled subschema of FastValidator (fast_validator.h), shared by its compiler
// (fast_validator_compile.cc) and its checks (fast_validator.cc). Internal to those two files.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transformers/validate/bounded_pattern_constraint.h"

namespace ferry {

// "type" names, as bits of FastNode::types.
enum FastTypeBit : uint8_t {
  kArrayBit = 1,
  kBooleanBit = 2,
  kIntegerBit = 4,
  kNullBit = 8,
  kNumberBit = 16,
  kObjectBit = 32,
  kStringBit = 64,
};

// The values one enum or const allows, as far as modelled: strings, booleans, null.
struct FastValueSet {
  std::vector<std::string> strings;
  bool null_ok = false;
  bool true_ok = false;
  bool false_ok = false;
};

struct FastNode {
  bool unknown = false;
  const FastNode* ref = nullptr;  // a $ref node is only its target (valijson ignores siblings)
  uint8_t types = 0;              // 0: no "type"
  std::vector<FastValueSet> value_sets;
  // strings
  uint64_t min_length = 0;
  uint64_t max_length = std::numeric_limits<uint64_t>::max();
  std::string rfc3339_format;  // empty: none
  std::shared_ptr<const CompiledPattern> pattern;
  bool other_format = false;  // a `format` valijson reads with asString(): strings only here
  // numbers (valijson compares as doubles)
  double minimum = -std::numeric_limits<double>::infinity();
  double maximum = std::numeric_limits<double>::infinity();
  bool exclusive_minimum = false;
  bool exclusive_maximum = false;
  bool has_bounds = false;
  // objects
  bool has_properties = false;  // properties or additionalProperties present
  std::vector<std::pair<std::string, const FastNode*>> properties;
  const FastNode* additional = nullptr;  // null with has_properties: additionalProperties false
  std::vector<std::string> required;
  uint64_t min_properties = 0;
  uint64_t max_properties = std::numeric_limits<uint64_t>::max();
  // arrays
  const FastNode* items = nullptr;
  uint64_t min_items = 0;
  uint64_t max_items = std::numeric_limits<uint64_t>::max();
  // combinators
  std::vector<const FastNode*> all_of;
  std::vector<const FastNode*> any_of;
};

// The node additionalProperties true (or absent) compiles to: accepts every value.
const FastNode* FastAcceptAll();

}  // namespace ferry
