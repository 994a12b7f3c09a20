// TranslateViolations: turns valijson's error queue into SchemaViolations a person can act on.
//
// valijson reports each error as a context (["<root>", "[tags]", "[0]"]) and a description,
// and reports every parent that failed because a child did ("Failed to validate against schema
// associated with property name 'createdAt'."). This keeps the specific errors, drops the
// generic parents that have one, folds the failures of "oneOf"/"anyOf" alternatives into one
// violation, and gives each a JSON pointer into the record, a best-effort schema location
// ("#/properties/title/type"), and a reason that names the keyword and, for short scalars,
// the value. The deepest violations come first.
//
// Thread safety: pure function.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <valijson/validation_results.hpp>
#include <vector>

#include "transformers/validate/schema_validator.h"

namespace ferry {

// `schema` is the rewritten schema document (see schema_rewrite.h); `record` the value that
// failed. Returns at least one violation (a generic one when valijson said nothing useful) and
// at most `max_violations` (>= 1).
std::vector<SchemaViolation> TranslateViolations(const valijson::ValidationResults& results,
                                                 simdjson::dom::element record,
                                                 const nlohmann::json& schema,
                                                 size_t max_violations);

}  // namespace ferry
