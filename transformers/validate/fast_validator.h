// FastValidator: a yes-or-don't-know check in front of valijson.
//
// valijson walks a tree of polymorphic constraints through std::function callbacks, copies
// every string it looks at and builds a context vector per property: about a quarter of a
// load's client CPU. Most records are valid, so SchemaValidator first asks this compiled tree
// of small checks over simdjson's DOM whether the record is valid. It is sound in one
// direction only: when ProvesValid() is true, valijson would accept the record too. When it
// is false (the record breaks a rule, or meets a construct this check does not model, or
// nests deeper than kMaxFastDepth), valijson validates the record as before, so what a
// rejected record reports (texts, pointers, order) is valijson's.
//
// Modelled exactly as valijson 1.0 reads them (its strict types, through SimdjsonValue):
// type, enum/const (string, boolean and null members), minLength/maxLength (code points up to
// the first NUL, as valijson's u8_strlen counts), minimum/maximum/exclusive*, properties,
// additionalProperties, required, min/maxProperties, items (one schema), min/maxItems,
// allOf, anyOf, $ref, ferry's RFC 3339 format and bounded pattern, boolean schemas.
// Anything else that valijson enforces (oneOf, not, if/then/else, dependencies, contains,
// propertyNames, multipleOf, uniqueItems, tuple items, const/enum of numbers or structures,
// a keyword with an unexpected value) makes its subschema "unknown": never proven valid.
//
// Thread safety: immutable once compiled; ProvesValid() may run on several threads at once.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace ferry {

struct FastNode;

class FastValidator {
 public:
  // Levels of subschema (record nesting, allOf and anyOf; not $ref hops) one check follows
  // before it gives the record to valijson, whose own stack budget handles deep records.
  static constexpr size_t kMaxFastDepth = 128;

  // Compiles `schema`, a document RewriteSchemaForValijson() accepted. Null when nothing
  // would be gained (the root is unknown) or the document uses a nested "$id"/"id", which
  // could change how valijson resolves a $ref.
  static std::unique_ptr<FastValidator> Compile(const nlohmann::json& schema);

  FastValidator(const FastValidator&) = delete;
  FastValidator& operator=(const FastValidator&) = delete;
  ~FastValidator();

  // True only when valijson would find `record` valid; false when it may not.
  bool ProvesValid(simdjson::dom::element record) const;

 private:
  FastValidator();

  std::vector<std::unique_ptr<FastNode>> nodes_;  // nodes_[0] is the root
};

}  // namespace ferry
