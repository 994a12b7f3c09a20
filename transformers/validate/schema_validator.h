// SchemaValidator: checks records against a JSON Schema (draft-07) with valijson.
//
// valijson 1.0 (Debian's) runs `pattern` through std::regex, which can hang or overflow the
// stack on a hostile pattern, and builds a fresh std::regex for every `format: date-time`.
// Compile() therefore moves `pattern` to a PCRE2 constraint with match and depth limits and
// `format: date/date-time` to a hand-written RFC 3339 check, both behind valijson's
// ConstraintBuilder interface; validation itself is valijson's. Records are read through a
// valijson adapter over simdjson's DOM, so nothing is parsed twice. In front of valijson, a
// check compiled from the same schema (fast_validator.h) proves most valid records valid at a
// fraction of the cost; a record it cannot prove valid goes to valijson, whose verdict and
// violations are the ones reported.
//
// Thread safety: a compiled SchemaValidator is immutable; Validate() may be called from
// several threads at once.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace ferry {

struct SchemaViolation {
  // JSON pointer of the failing value in the record ("/createdAt"); for a missing required
  // property, the pointer the property would have ("/title").
  std::string pointer;
  std::string schema_location;  // where in the schema ("#/properties/createdAt/format")
  std::string reason;           // human text ("\"2024-13-45\" is not an RFC 3339 date-time")
};

class SchemaValidator {
 public:
  SchemaValidator(const SchemaValidator&) = delete;
  SchemaValidator& operator=(const SchemaValidator&) = delete;
  virtual ~SchemaValidator() = default;

  // Compiles a schema given as JSON text. `name` (the schema's file) prefixes errors.
  // Fails with InvalidArgument on a schema that is not JSON, not an object, not a valid
  // draft-07 schema, uses `patternProperties` (std::regex), has a `pattern` PCRE2 cannot
  // compile, a `$ref` that does not resolve in the document or names another document (remote
  // references are not fetched), or a shape valijson would recurse on without end or too deep (see
  // schema_rewrite.h and schema_graph.h). `fast_path` false leaves every record to valijson
  // (the differential tests compare the two).
  static Result<std::unique_ptr<SchemaValidator>> Compile(const std::string& schema_json,
                                                          const std::string& name,
                                                          bool fast_path = true);

  // Validates one record. Returns the violations (empty when the record passes), deepest
  // first; at most `max_violations` (at least one when the record fails). Stack use is bounded
  // (1 MiB, less on a thread with a smaller stack; see stack_budget.h): a record nested too
  // deep for that against a recursive schema fails with one violation saying so.
  virtual std::vector<SchemaViolation> Validate(simdjson::dom::element record,
                                                size_t max_violations = 8) const = 0;

 protected:
  SchemaValidator() = default;
};

}  // namespace ferry
