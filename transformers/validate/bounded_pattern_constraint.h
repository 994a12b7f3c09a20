// BoundedPatternConstraint: JSON Schema `pattern`, run by PCRE2 with a match budget.
//
// valijson 1.0 runs `pattern` through std::regex, whose backtracking can take exponential
// time or overflow the stack on a hostile pattern (`^(a+)+$`) or a long input. SchemaValidator
// moves every `pattern` keyword to kBoundedPatternKeyword, whose value is
// {"regex": "<pattern>", "at": "<schema location of the keyword>"}; the builder registered
// for it compiles the regex once with PCRE2 (UTF mode, ECMAScript-leaning options, JIT when
// available) and every match runs under a match limit (and the interpreter also under a depth
// and a heap limit; JIT under its own fixed stack). A match that runs out of
// budget fails validation with a reason saying so: it never hangs and never crashes.
//
// Thread safety: a built constraint is immutable and shares its compiled pattern; matches on
// distinct threads use distinct per-thread match data.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <valijson/constraint_builder.hpp>

namespace ferry {

inline constexpr char kBoundedPatternKeyword[] = "x-ferry-bounded-pattern";

// Limits applied to every match (PCRE2's units: backtracking steps, nesting depth, KiB).
inline constexpr uint32_t kPatternMatchLimit = 200000;
inline constexpr uint32_t kPatternDepthLimit = 5000;
inline constexpr uint32_t kPatternHeapLimitKib = 4096;

// The builder for kBoundedPatternKeyword. Its make() throws std::runtime_error naming the
// schema location when the regex is not a string or PCRE2 cannot compile it.
std::unique_ptr<valijson::ConstraintBuilder> NewBoundedPatternBuilder();

// The same compiled pattern, for FastValidator (fast_validator.h). CompileBoundedPattern throws
// as make() does; BoundedPatternMatches is true when `text` (valid UTF-8: simdjson checked it)
// matches within the budget, false on no match and on an exhausted budget alike.
struct CompiledPattern;
std::shared_ptr<const CompiledPattern> CompileBoundedPattern(const std::string& source,
                                                             const std::string& location);
bool BoundedPatternMatches(const CompiledPattern& pattern, std::string_view text);

}  // namespace ferry
