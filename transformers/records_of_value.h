// RecordsOfValue: the records that one parsed store value holds, per the entity's shape.
//
// Pure function, thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "transformers/mapping.h"

namespace ferry {

struct RecordRef {
  simdjson::dom::element record;
  int64_t index = -1;                 // position in an array value, else -1
  std::optional<std::string> member;  // member name in an object-of-records value
};

// Calls `visit` for each record of `value`. Fails (Corruption) when the value's type does
// not fit the shape (an object where an array of records was expected), naming both.
Status RecordsOfValue(simdjson::dom::element value, SourceShape shape,
                      const std::function<void(const RecordRef&)>& visit);

}  // namespace ferry
