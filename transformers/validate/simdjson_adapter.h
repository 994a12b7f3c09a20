// SimdjsonAdapter: a valijson adapter over simdjson's DOM (simdjson::dom::element), so that a
// record parsed once by the extractor is validated in place. Written after valijson's
// nlohmann_json_adapter.hpp: BasicAdapter supplies the type-casting semantics, the classes here
// only read the DOM.
//
// Integers that do not fit int64 (simdjson's UINT64, big numbers kept as text) are presented
// as doubles, since valijson's integer interface is int64, but count as integers for "type"
// (draft-07: any number with a zero fractional part, 101.0 too). Entering an array or object calls
// StackBudget::Check(), which is how a too-deep record is stopped before it overflows the stack
// (see stack_budget.h).
//
// Thread safety: adapters are views of an immutable DOM; any number of threads may read one
// document at once. The document must outlive every adapter made from it.
#pragma once

#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include "transformers/big_number.h"
#include "transformers/scalar_text.h"
#include "transformers/validate/stack_budget.h"

#if !VALIJSON_USE_EXCEPTIONS
#error \
    "ferry needs valijson built with VALIJSON_USE_EXCEPTIONS=1 (the valijson CMake target sets it)"
#endif

namespace ferry {

class SimdjsonAdapter;
class SimdjsonArrayValueIterator;
class SimdjsonObjectMemberIterator;

using SimdjsonObjectMember = std::pair<std::string, SimdjsonAdapter>;

// The elements of a JSON array; a default-constructed one is empty.
class SimdjsonArray {
 public:
  using const_iterator = SimdjsonArrayValueIterator;
  using iterator = SimdjsonArrayValueIterator;

  SimdjsonArray() = default;
  explicit SimdjsonArray(simdjson::dom::array array) : array_(array), valid_(true) {}

  SimdjsonArrayValueIterator begin() const;
  SimdjsonArrayValueIterator end() const;
  size_t size() const;

 private:
  simdjson::dom::array array_;
  bool valid_ = false;
};

// The members of a JSON object; a default-constructed one is empty.
class SimdjsonObject {
 public:
  using const_iterator = SimdjsonObjectMemberIterator;
  using iterator = SimdjsonObjectMemberIterator;

  SimdjsonObject() = default;
  explicit SimdjsonObject(simdjson::dom::object object) : object_(object), valid_(true) {}

  SimdjsonObjectMemberIterator begin() const;
  SimdjsonObjectMemberIterator end() const;
  // The member named `name`, or end(). Linear: records have few members.
  SimdjsonObjectMemberIterator find(const std::string& name) const;
  size_t size() const;

 private:
  simdjson::dom::object object_;
  bool valid_ = false;
};

// Reads one DOM value for BasicAdapter (the "ValueType" of valijson's adapter scheme).
class SimdjsonValue {
 public:
  // valijson's convention: a default value is an empty object.
  SimdjsonValue();
  explicit SimdjsonValue(simdjson::dom::element element) : element_(element) {}

  simdjson::dom::element element() const { return element_; }

  // A copy independent of the document (valijson freezes values for enum/const).
  valijson::adapters::FrozenValue* freeze() const;

  opt::optional<SimdjsonArray> getArrayOptional() const {
    simdjson::dom::array array;
    if (element_.get_array().get(array) != simdjson::SUCCESS) return {};
    return SimdjsonArray(array);
  }
  bool getArraySize(size_t& result) const {
    simdjson::dom::array array;
    if (element_.get_array().get(array) != simdjson::SUCCESS) return false;
    result = SimdjsonArray(array).size();
    return true;
  }
  bool getBool(bool& result) const { return element_.get_bool().get(result) == simdjson::SUCCESS; }
  bool getDouble(double& result) const {
    if (!isDouble()) return false;
    if (std::optional<std::string_view> big = BigNumberText(element_)) {
      // Beyond the largest double: as JavaScript reads it, Infinity.
      result = BigNumberDouble(*big).value_or(std::numeric_limits<double>::infinity());
      if (big->front() == '-' && result > 0) result = -result;
      return true;
    }
    return element_.get_double().get(result) == simdjson::SUCCESS;
  }
  bool getInteger(int64_t& result) const {
    std::optional<int64_t> integer = IntegerOf(element_);
    if (integer) result = *integer;
    return integer.has_value();
  }
  opt::optional<SimdjsonObject> getObjectOptional() const {
    simdjson::dom::object object;
    if (element_.get_object().get(object) != simdjson::SUCCESS) return {};
    return SimdjsonObject(object);
  }
  bool getObjectSize(size_t& result) const {
    simdjson::dom::object object;
    if (element_.get_object().get(object) != simdjson::SUCCESS) return false;
    result = SimdjsonObject(object).size();
    return true;
  }
  bool getString(std::string& result) const {
    if (BigNumberText(element_)) return false;
    std::string_view view;
    if (element_.get_string().get(view) != simdjson::SUCCESS) return false;
    result.assign(view.data(), view.size());
    return true;
  }

  static bool hasStrictTypes() { return true; }

  bool isArray() const { return type() == simdjson::dom::element_type::ARRAY; }
  bool isBool() const { return type() == simdjson::dom::element_type::BOOL; }
  bool isDouble() const {
    return type() == simdjson::dom::element_type::DOUBLE ||
           type() == simdjson::dom::element_type::UINT64 || BigNumberText(element_).has_value();
  }
  // Draft-07: "integer" is any number with a zero fractional part (101.0, 2^64 - 1, 2^64).
  bool isInteger() const {
    switch (type()) {
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
        return true;
      case simdjson::dom::element_type::DOUBLE: {
        double number = element_.get_double().value_unsafe();
        return std::isfinite(number) && std::trunc(number) == number;
      }
      default: {
        std::optional<std::string_view> big = BigNumberText(element_);
        return big && big->find_first_of(".eE") == std::string_view::npos;
      }
    }
  }
  bool isNull() const { return type() == simdjson::dom::element_type::NULL_VALUE; }
  bool isNumber() const { return type() == simdjson::dom::element_type::INT64 || isDouble(); }
  bool isObject() const { return type() == simdjson::dom::element_type::OBJECT; }
  bool isString() const {
    return type() == simdjson::dom::element_type::STRING && !BigNumberText(element_);
  }

 private:
  simdjson::dom::element_type type() const { return element_.type(); }

  simdjson::dom::element element_;
};

// The adapter valijson's Validator is instantiated with.
class SimdjsonAdapter
    : public valijson::adapters::BasicAdapter<SimdjsonAdapter, SimdjsonArray, SimdjsonObjectMember,
                                              SimdjsonObject, SimdjsonValue> {
 public:
  SimdjsonAdapter() = default;
  explicit SimdjsonAdapter(simdjson::dom::element element)
      : BasicAdapter(SimdjsonValue(element)), element_(element) {}

  // The DOM value, for callers that want to read it without copies (string_view access).
  simdjson::dom::element element() const { return element_; }

 private:
  simdjson::dom::element element_ = SimdjsonValue().element();
};

// Iterates an array's elements as adapters.
class SimdjsonArrayValueIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = SimdjsonAdapter;
  using difference_type = std::ptrdiff_t;
  using pointer = SimdjsonAdapter*;
  using reference = SimdjsonAdapter&;

  SimdjsonArrayValueIterator() = default;
  SimdjsonArrayValueIterator(simdjson::dom::array array, simdjson::dom::array::iterator it)
      : array_(array), it_(it) {}

  SimdjsonAdapter operator*() const { return SimdjsonAdapter(*it_); }
  valijson::adapters::DerefProxy<SimdjsonAdapter> operator->() const {
    return valijson::adapters::DerefProxy<SimdjsonAdapter>(**this);
  }
  bool operator==(const SimdjsonArrayValueIterator& other) const { return it_ == other.it_; }
  bool operator!=(const SimdjsonArrayValueIterator& other) const { return !(*this == other); }
  const SimdjsonArrayValueIterator& operator++() {
    ++it_;
    return *this;
  }
  SimdjsonArrayValueIterator operator++(int) {
    SimdjsonArrayValueIterator before = *this;
    ++it_;
    return before;
  }
  // The DOM only links forward, so this walks from the start: valijson steps back once, from
  // end(), to check uniqueItems, which is quadratic anyway.
  const SimdjsonArrayValueIterator& operator--() {
    simdjson::dom::array::iterator previous = array_.begin();
    for (auto next = previous; next != it_; previous = next++) {
    }
    it_ = previous;
    return *this;
  }
  // valijson's JSON-pointer resolution advances array iterators.
  void advance(std::ptrdiff_t n) {
    for (; n > 0; --n) ++it_;
  }

 private:
  simdjson::dom::array array_;
  simdjson::dom::array::iterator it_;
};

// Iterates an object's members as (name, adapter) pairs.
class SimdjsonObjectMemberIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = SimdjsonObjectMember;
  using difference_type = std::ptrdiff_t;
  using pointer = SimdjsonObjectMember*;
  using reference = SimdjsonObjectMember&;

  SimdjsonObjectMemberIterator() = default;
  explicit SimdjsonObjectMemberIterator(simdjson::dom::object::iterator it) : it_(it) {}

  SimdjsonObjectMember operator*() const {
    return SimdjsonObjectMember(std::string(it_.key()), SimdjsonAdapter(it_.value()));
  }
  valijson::adapters::DerefProxy<SimdjsonObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<SimdjsonObjectMember>(**this);
  }
  bool operator==(const SimdjsonObjectMemberIterator& other) const { return it_ == other.it_; }
  bool operator!=(const SimdjsonObjectMemberIterator& other) const { return !(*this == other); }
  const SimdjsonObjectMemberIterator& operator++() {
    ++it_;
    return *this;
  }
  SimdjsonObjectMemberIterator operator++(int) {
    SimdjsonObjectMemberIterator before = *this;
    ++it_;
    return before;
  }

  bool KeyEquals(std::string_view name) const { return it_.key_equals(name); }

 private:
  simdjson::dom::object::iterator it_;
};

inline SimdjsonArrayValueIterator SimdjsonArray::begin() const {
  StackBudget::Check();
  return valid_ ? SimdjsonArrayValueIterator(array_, array_.begin()) : SimdjsonArrayValueIterator();
}

inline SimdjsonArrayValueIterator SimdjsonArray::end() const {
  return valid_ ? SimdjsonArrayValueIterator(array_, array_.end()) : SimdjsonArrayValueIterator();
}

inline size_t SimdjsonArray::size() const {
  if (!valid_) return 0;
  size_t n = array_.size();
  // simdjson saturates the stored count at 0xFFFFFF; count the rest by walking.
  if (n == 0xFFFFFF) {
    n = 0;
    for (auto it = array_.begin(); it != array_.end(); ++it) ++n;
  }
  return n;
}

inline SimdjsonObjectMemberIterator SimdjsonObject::begin() const {
  StackBudget::Check();
  return valid_ ? SimdjsonObjectMemberIterator(object_.begin()) : SimdjsonObjectMemberIterator();
}

inline SimdjsonObjectMemberIterator SimdjsonObject::end() const {
  return valid_ ? SimdjsonObjectMemberIterator(object_.end()) : SimdjsonObjectMemberIterator();
}

inline SimdjsonObjectMemberIterator SimdjsonObject::find(const std::string& name) const {
  const SimdjsonObjectMemberIterator last = end();
  for (SimdjsonObjectMemberIterator it = begin(); it != last; ++it) {
    if (it.KeyEquals(name)) return it;
  }
  return last;
}

inline size_t SimdjsonObject::size() const {
  if (!valid_) return 0;
  size_t n = object_.size();
  if (n == 0xFFFFFF) {
    n = 0;
    for (auto it = object_.begin(); it != object_.end(); ++it) ++n;
  }
  return n;
}

}  // namespace ferry

namespace valijson::adapters {

template <>
struct AdapterTraits<ferry::SimdjsonAdapter> {
  using DocumentType = simdjson::dom::element;
  static std::string adapterName() { return "SimdjsonAdapter"; }
};

}  // namespace valijson::adapters
