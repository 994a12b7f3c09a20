// valijson's validator.hpp instantiates std::regex (for the `pattern` keyword ferry moves to
// PCRE2), and gcc 12 with -O2 and sanitizers reports a false -Wmaybe-uninitialized inside
// libstdc++'s regex compiler. Silenced for this file only, before any header pulls <regex>.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "transformers/validate/schema_validator.h"

#include <exception>
#include <nlohmann/json.hpp>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "transformers/validate/bounded_pattern_constraint.h"
#include "transformers/validate/fast_validator.h"
#include "transformers/validate/rfc3339_format_constraint.h"
#include "transformers/validate/schema_rewrite.h"
#include "transformers/validate/simdjson_adapter.h"
#include "transformers/validate/stack_budget.h"
#include "transformers/validate/violation_translator.h"

namespace ferry {
namespace {

// Stack one Validate() may use (less when the thread's stack is smaller, see stack_budget.cc).
// valijson takes about 0.5 KiB per level of a recursive record in an optimised build (a few
// times more with sanitizers), so this is thousands of levels.
constexpr size_t kValidationStackBudget = 1024 * 1024;

// The nesting of `record`, counted up to `cap`. Iterative.
size_t RecordDepth(simdjson::dom::element record, size_t cap) {
  size_t deepest = 0;
  std::vector<std::pair<simdjson::dom::element, size_t>> pending = {{record, 1}};
  while (!pending.empty() && deepest < cap) {
    auto [value, depth] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, depth);
    simdjson::dom::array array;
    simdjson::dom::object object;
    if (value.get_array().get(array) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : array) pending.emplace_back(item, depth + 1);
    } else if (value.get_object().get(object) == simdjson::SUCCESS) {
      for (auto member : object) pending.emplace_back(member.value, depth + 1);
    }
  }
  return deepest;
}

class ValijsonSchemaValidator final : public SchemaValidator {
 public:
  ValijsonSchemaValidator(nlohmann::json document, std::unique_ptr<valijson::Schema> schema,
                          std::unique_ptr<FastValidator> fast)
      : document_(std::move(document)), schema_(std::move(schema)), fast_(std::move(fast)) {}

  std::vector<SchemaViolation> Validate(simdjson::dom::element record,
                                        size_t max_violations) const override {
    // Most records pass, and the compiled check proves it at a fraction of valijson's cost;
    // anything it cannot prove (a violation included) is valijson's to judge and report.
    if (fast_ != nullptr && fast_->ProvesValid(record)) return {};
    StackBudget budget(kValidationStackBudget);
    const SimdjsonAdapter target(record);
    // A Validator is a flag and an empty std::regex cache (never filled: no `pattern` or
    // `patternProperties` reaches valijson), so one per call costs nothing and keeps
    // Validate() free of shared mutable state.
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    try {
      // Most records pass: the first pass stops at the first failure and collects nothing.
      if (validator.validate(*schema_, target, nullptr)) return {};
      valijson::ValidationResults results;
      validator.validate(*schema_, target, &results);
      return TranslateViolations(results, record, document_, max_violations);
    } catch (const StackBudgetExceeded&) {
      constexpr size_t kCap = 1000000;
      const size_t depth = RecordDepth(record, kCap);
      return {SchemaViolation{
          "", "#",
          "record nests " + std::string(depth >= kCap ? "over " : "") + std::to_string(depth) +
              " levels deep, too deep to validate against this recursive schema"}};
    } catch (const std::exception& e) {
      return {SchemaViolation{"", "#", std::string("could not validate the record: ") + e.what()}};
    }
  }

 private:
  const nlohmann::json document_;  // the rewritten schema, for schema locations
  const std::unique_ptr<const valijson::Schema> schema_;
  const std::unique_ptr<const FastValidator> fast_;  // null: valijson alone
};

}  // namespace

Result<std::unique_ptr<SchemaValidator>> SchemaValidator::Compile(const std::string& schema_json,
                                                                  const std::string& name,
                                                                  bool fast_path) {
  auto invalid = [&](const std::string& why) {
    return Status::InvalidArgument("schema " + name + ": " + why);
  };
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(schema_json);
  } catch (const nlohmann::json::exception& e) {
    return invalid(std::string("not JSON: ") + e.what());
  }
  if (!document.is_object()) {
    return invalid(std::string("a schema must be a JSON object, not ") + document.type_name());
  }
  if (Status rewritten = RewriteSchemaForValijson(&document); !rewritten.ok()) {
    return invalid(rewritten.message());
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    // The parser owns the builders from here on.
    parser.addConstraintBuilder(kRfc3339FormatKeyword, NewRfc3339FormatBuilder().release());
    parser.addConstraintBuilder(kBoundedPatternKeyword, NewBoundedPatternBuilder().release());
    auto schema = std::make_unique<valijson::Schema>();
    const valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, *schema);
    std::unique_ptr<FastValidator> fast = fast_path ? FastValidator::Compile(document) : nullptr;
    return std::unique_ptr<SchemaValidator>(std::make_unique<ValijsonSchemaValidator>(
        std::move(document), std::move(schema), std::move(fast)));
  } catch (const std::exception& e) {
    return invalid(std::string("not a valid draft-07 schema: ") + e.what());
  }
}

}  // namespace ferry
