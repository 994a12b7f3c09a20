// RewriteSchemaForValijson: prepares a parsed draft-07 schema so that valijson can run it
// safely and fast.
//
// Walks every subschema (by keyword, so a property that is literally named "pattern" stays a
// property): moves `pattern` to kBoundedPatternKeyword (PCRE2, match budget) and `format`
// "date-time"/"date"/"time" to kRfc3339FormatKeyword, each with its schema location; follows
// local `$ref`s (and walks their targets as subschemas); and refuses what valijson cannot run
// safely: `patternProperties` (std::regex), nesting deeper than kMaxSchemaNesting, a `$ref`
// that does not resolve, and the recursion shapes that SchemaGraph::Check() rejects.
//
// Thread safety: pure function of its argument.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ferry {

// Deepest JSON nesting accepted in a schema document (objects and arrays, any keyword).
inline constexpr size_t kMaxSchemaNesting = 256;

// Rewrites `schema` in place. InvalidArgument (the message names the schema location) when
// the schema cannot be run safely; the caller adds the schema's name.
Status RewriteSchemaForValijson(nlohmann::json* schema);

// The subschema a local reference ("#/definitions/a") names in `root`, resolved as valijson
// resolves it; null when it does not resolve. `pointer` receives the target's JSON pointer.
const nlohmann::json* ResolveLocalRef(const nlohmann::json& root, std::string_view ref,
                                      std::string* pointer);

// `token` escaped for a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

}  // namespace ferry
