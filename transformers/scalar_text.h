// Scalars as text: legacy ids ("task-17" or 17), value-map keys, reject values.
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

namespace ferry {

// A string as itself; an integer in decimal; true/false; nullopt for null, doubles, objects
// and arrays (a double is never an identity: 1.0 and 1 would collide).
std::optional<std::string> ScalarToText(simdjson::dom::element value);

// The value as JSON text for a reject file: scalars only, at most `limit` bytes (longer
// strings are cut and marked), nullopt for objects and arrays.
std::optional<std::string> ShortJsonForReject(simdjson::dom::element value, size_t limit = 200);

}  // namespace ferry
