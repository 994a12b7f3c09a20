#include "transformers/validate/bounded_pattern_constraint.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/validation_results.hpp>
#include <vector>

#include "transformers/validate/simdjson_adapter.h"
#include "transformers/validate/violation_text.h"

namespace ferry {
namespace {

// Patterns longer than this are shown by location only.
constexpr size_t kMaxShownPattern = 64;

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchContextDeleter {
  void operator()(pcre2_match_context* context) const { pcre2_match_context_free(context); }
};
struct CompileContextDeleter {
  void operator()(pcre2_compile_context* context) const { pcre2_compile_context_free(context); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

std::string Pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof(buffer)) < 0) {
    return "PCRE2 error " + std::to_string(code);
  }
  return std::string(reinterpret_cast<const char*>(buffer));
}

}  // namespace

// One compiled `pattern`, shared by every copy of its constraint (and by the fast path).
struct CompiledPattern {
  std::string source;
  std::string location;  // "#/definitions/isoDateTime/pattern"
  std::unique_ptr<pcre2_code, CodeDeleter> code;
  std::unique_ptr<pcre2_match_context, MatchContextDeleter> match_context;
};

namespace {

std::shared_ptr<const CompiledPattern> CompilePattern(const std::string& source,
                                                      const std::string& location) {
  std::unique_ptr<pcre2_compile_context, CompileContextDeleter> compile_context(
      pcre2_compile_context_create(nullptr));
  if (!compile_context) throw std::bad_alloc();
  // ECMAScript (the dialect JSON Schema names) writes \uXXXX, and also \u{...}.
  pcre2_set_compile_extra_options(compile_context.get(), PCRE2_EXTRA_ALT_BSUX);
  constexpr uint32_t kOptions = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_MATCH_UNSET_BACKREF |
                                PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C;
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  auto compiled = std::make_shared<CompiledPattern>();
  compiled->source = source;
  compiled->location = location;
  compiled->code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                     kOptions, &error_code, &error_offset, compile_context.get()));
  if (!compiled->code) {
    throw std::runtime_error("pattern at " + location +
                             " does not compile: " + Pcre2Message(error_code) + " at offset " +
                             std::to_string(error_offset));
  }
  // JIT where the platform has it (several times faster, so a hostile pattern also hits its
  // budget sooner); the match limit applies to JIT matches too, and JIT uses its own bounded
  // stack (32 KiB by default) in place of the depth and heap limits. Without JIT the
  // interpreter runs under all three limits.
  (void)pcre2_jit_compile(compiled->code.get(), PCRE2_JIT_COMPLETE);
  compiled->match_context.reset(pcre2_match_context_create(nullptr));
  if (!compiled->match_context) throw std::bad_alloc();
  pcre2_set_match_limit(compiled->match_context.get(), kPatternMatchLimit);
  pcre2_set_depth_limit(compiled->match_context.get(), kPatternDepthLimit);
  pcre2_set_heap_limit(compiled->match_context.get(), kPatternHeapLimitKib);
  return compiled;
}

// Per-thread match data: one ovector pair is all a yes/no match needs, and PCRE2 keeps its
// backtracking frames in the match data, so reusing it saves an allocation per match.
pcre2_match_data* ThreadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(
      pcre2_match_data_create(1, nullptr));
  return data.get();
}

class BoundedPatternConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit BoundedPatternConstraint(std::shared_ptr<const CompiledPattern> pattern)
      : pattern_(std::move(pattern)) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string_view text;
    std::string storage;
    if (!StringOf(target, &text, &storage)) return true;  // `pattern` only constrains strings
    pcre2_match_data* match_data = ThreadMatchData();
    if (match_data == nullptr) throw std::bad_alloc();
    // simdjson has validated the UTF-8 of every string it hands out.
    const uint32_t options =
        dynamic_cast<const SimdjsonAdapter*>(&target) != nullptr ? PCRE2_NO_UTF_CHECK : 0;
    const int rc = pcre2_match(pattern_->code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()),
                               text.size(), 0, options, match_data, pattern_->match_context.get());
    if (rc >= 0) return true;
    if (results != nullptr) {
      results->pushError(context, EncodeOwnViolation(pattern_->location, Reason(rc, target)));
    }
    return false;
  }

 private:
  Constraint* cloneInto(void* where) const override {
    return new (where) BoundedPatternConstraint(*this);
  }
  size_t sizeOf() const override { return sizeof(BoundedPatternConstraint); }

  std::string Reason(int rc, const valijson::adapters::Adapter& target) const {
    std::string value = ShortScalarText(target);
    if (value.empty()) value = "string";
    const std::string pattern = pattern_->source.size() <= kMaxShownPattern
                                    ? "pattern " + JsonQuote(pattern_->source)
                                    : "the pattern at " + pattern_->location;
    switch (rc) {
      case PCRE2_ERROR_NOMATCH:
        return value + " does not match " + pattern;
      case PCRE2_ERROR_MATCHLIMIT:
      case PCRE2_ERROR_DEPTHLIMIT:
      case PCRE2_ERROR_HEAPLIMIT:
      case PCRE2_ERROR_NOMEMORY:
      case PCRE2_ERROR_JIT_STACKLIMIT:
        return "matching " + value + " against " + pattern + " exceeded its match budget (" +
               Pcre2Message(rc) + ")";
      default:
        return "could not match " + value + " against " + pattern + ": " + Pcre2Message(rc);
    }
  }

  std::shared_ptr<const CompiledPattern> pattern_;
};

class BoundedPatternBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    std::string regex;
    std::string location;
    bool regex_is_string = false;
    value.applyToObject([&](const std::string& name, const valijson::adapters::Adapter& member) {
      if (name == "regex") regex_is_string = member.isString() && member.getString(regex);
      if (name == "at") member.getString(location);
      return true;
    });
    if (!regex_is_string) {
      throw std::runtime_error("pattern at " + location + " must be a string");
    }
    // valijson takes ownership of the returned pointer (and copies the constraint).
    return new BoundedPatternConstraint(CompilePattern(regex, location));
  }
};

}  // namespace

std::shared_ptr<const CompiledPattern> CompileBoundedPattern(const std::string& source,
                                                             const std::string& location) {
  return CompilePattern(source, location);
}

bool BoundedPatternMatches(const CompiledPattern& pattern, std::string_view text) {
  pcre2_match_data* match_data = ThreadMatchData();
  if (match_data == nullptr) return false;
  return pcre2_match(pattern.code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                     PCRE2_NO_UTF_CHECK, match_data, pattern.match_context.get()) >= 0;
}

std::unique_ptr<valijson::ConstraintBuilder> NewBoundedPatternBuilder() {
  return std::make_unique<BoundedPatternBuilder>();
}

}  // namespace ferry
