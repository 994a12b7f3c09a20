// Reject: why a record was not loaded, and where it came from.
//
// Produced by the pure transform steps; the run writes it to the reject file (NDJSON) and
// counts it in the report. `value` is filled only when the failing value is a short scalar
// outside every sensitive field: a reject file must never leak a secret.
#pragma once

#include <optional>
#include <string>

#include "base/location.h"

namespace ferry {

struct Reject {
  std::string entity;
  Location where;                    // file, origin, key, index; where.pointer = failing field
  std::string schema_location;       // "#/properties/status/enum", empty when not a schema failure
  std::string reason;                // one line, for people
  std::optional<std::string> value;  // the offending value as JSON text, when safe to show
};

}  // namespace ferry
