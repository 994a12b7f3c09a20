// Turning simdjson's errors into Corruption statuses that name the place:
// "file: byte N (line L, column C): <simdjson's message>".
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/location.h"
#include "base/status.h"

namespace ferry {

// The Location of byte `offset` of `text` (the contents of `file`): file, offset, line,
// column. An offset below zero gives a Location naming the file only.
Location LocateInText(const std::string& file, std::string_view text, int64_t offset);

// Corruption "file: byte N (line L, column C): message"; "file: message" when offset < 0.
Status JsonCorruption(const std::string& file, std::string_view text, int64_t offset,
                      std::string_view message);
Status JsonCorruption(const std::string& file, std::string_view text, int64_t offset,
                      simdjson::error_code error);
// The same for a place already located (where.offset < 0: the file only).
Status JsonCorruptionAt(const Location& where, std::string_view message);

// Where an error from simdjson's first pass over the whole text (parser.iterate) lies, since
// simdjson does not say: the first byte that is not UTF-8, the opening quote of a string
// that never closes, the end of the text for a document cut short; -1 when unknown.
int64_t LocateWholeTextError(std::string_view text, simdjson::error_code error);

// `text` in double quotes for an error message: control characters escaped, cut after about
// 80 bytes (on a character boundary) with "..." so that a huge key does not flood a log.
std::string QuoteForMessage(std::string_view text);

// The offset of the first byte of `text` that is not well-formed UTF-8, or -1.
int64_t FirstInvalidUtf8(std::string_view text);

}  // namespace ferry
