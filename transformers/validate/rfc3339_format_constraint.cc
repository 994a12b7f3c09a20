#include "transformers/validate/rfc3339_format_constraint.h"

#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/validation_results.hpp>
#include <vector>

#include "transformers/datetime.h"
#include "transformers/validate/violation_text.h"

namespace ferry {
namespace {

enum class Rfc3339Kind { kDateTime, kDate, kTime };

bool Matches(Rfc3339Kind kind, std::string_view text) {
  switch (kind) {
    case Rfc3339Kind::kDateTime:
      return IsRfc3339DateTime(text);
    case Rfc3339Kind::kDate:
      return IsRfc3339Date(text);
    case Rfc3339Kind::kTime: {
      // An RFC 3339 full-time is valid exactly when it completes a valid date-time.
      if (text.size() > 64) return false;
      std::string date_time = "1970-01-01T";
      date_time += text;
      return IsRfc3339DateTime(date_time);
    }
  }
  return false;
}

class Rfc3339FormatConstraint : public valijson::constraints::PolyConstraint {
 public:
  Rfc3339FormatConstraint(Rfc3339Kind kind, std::string format, std::string location)
      : kind_(kind), format_(std::move(format)), location_(std::move(location)) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string_view text;
    std::string storage;
    if (!StringOf(target, &text, &storage)) return true;  // `format` only constrains strings
    if (Matches(kind_, text)) return true;
    if (results != nullptr) {
      std::string value = ShortScalarText(target);
      if (value.empty()) value = "string";
      results->pushError(context,
                         EncodeOwnViolation(location_, value + " is not an RFC 3339 " + format_));
    }
    return false;
  }

 private:
  Constraint* cloneInto(void* where) const override {
    return new (where) Rfc3339FormatConstraint(*this);
  }
  size_t sizeOf() const override { return sizeof(Rfc3339FormatConstraint); }

  Rfc3339Kind kind_;
  std::string format_;    // as the schema spells it, for reasons
  std::string location_;  // "#/definitions/isoDateTime/format"
};

class Rfc3339FormatBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    std::string format;
    std::string location;
    value.applyToObject([&](const std::string& name, const valijson::adapters::Adapter& member) {
      if (name == "format") member.getString(format);
      if (name == "at") member.getString(location);
      return true;
    });
    Rfc3339Kind kind;
    if (format == "date-time") {
      kind = Rfc3339Kind::kDateTime;
    } else if (format == "date") {
      kind = Rfc3339Kind::kDate;
    } else if (format == "time") {
      kind = Rfc3339Kind::kTime;
    } else {
      throw std::runtime_error("format at " + location + ": unexpected " + JsonQuote(format));
    }
    const std::string shown = kind == Rfc3339Kind::kTime ? "time (HH:MM:SS with offset)" : format;
    // valijson takes ownership of the returned pointer (and copies the constraint).
    return new Rfc3339FormatConstraint(kind, shown, location);
  }
};

}  // namespace

bool MatchesRfc3339Format(std::string_view format, std::string_view text) {
  if (format == "date-time") return Matches(Rfc3339Kind::kDateTime, text);
  if (format == "date") return Matches(Rfc3339Kind::kDate, text);
  if (format == "time") return Matches(Rfc3339Kind::kTime, text);
  return false;
}

bool IsRfc3339Format(std::string_view format) {
  return format == "date-time" || format == "date" || format == "time";
}

std::unique_ptr<valijson::ConstraintBuilder> NewRfc3339FormatBuilder() {
  return std::make_unique<Rfc3339FormatBuilder>();
}

}  // namespace ferry
