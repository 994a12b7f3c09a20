// Scalars as text: legacy ids ("task-17" or 17), value-map keys, reject values.
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ferry {

// A string as itself; an integer in decimal (101.0 too, and a number beyond 64 bits as
// written: JavaScript reads 101.0 as 101, so String() of it is "101"); true/false; nullopt for
// null, numbers with a fraction, objects and arrays.
std::optional<std::string> ScalarToText(simdjson::dom::element value);

// The value as a 64-bit integer: an integer, or a number with no fraction (101.0, as JSON
// Schema draft-07 and JavaScript count it) within int64; else nullopt.
std::optional<int64_t> IntegerOf(simdjson::dom::element value);

// The value as epoch milliseconds: IntegerOf, or a finite number with a fraction truncated
// toward zero, as JavaScript's Date does (new Date(1.9).getTime() is 1); else nullopt.
std::optional<int64_t> EpochMillisOf(simdjson::dom::element value);

// The value as JSON text for a reject file: scalars only, at most `limit` bytes (longer
// strings are cut and marked), nullopt for objects and arrays.
std::optional<std::string> ShortJsonForReject(simdjson::dom::element value, size_t limit = 200);

}  // namespace ferry
