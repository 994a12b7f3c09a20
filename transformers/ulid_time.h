// UlidTimeOf: the creation time a record's time field gives its ULID, or why it cannot.
//
// A ULID holds milliseconds since the Unix epoch in 48 bits: 1970-01-01T00:00:00Z to
// 10889-08-02T05:31:50.655Z. A time outside that is refused with a reason saying so, never
// clamped (a clamped time would sort the record among others it was not created with), and
// never replaced with the run's time (which a record with no time at all gets): the record
// says when it was created, and its ULID cannot say the same (docs/mapping.md, "Creation times").
//
// Pure function, thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "base/result.h"

namespace ferry {

// Milliseconds since the Unix epoch of `time` (not null), the value of the record's field
// `field` in `format` ("iso8601": an RFC 3339 date-time; "epoch_ms": a number of milliseconds,
// a fraction truncated toward zero as JavaScript's Date does). InvalidArgument with the reason
// (naming the field, the value and the 1970 epoch where that is the cause) otherwise.
Result<int64_t> UlidTimeOf(simdjson::dom::element time, const std::string& field,
                           const std::string& format);

}  // namespace ferry
