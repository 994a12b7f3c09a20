// A small scanner over JSON text that finds where each token is, without building anything.
//
// The dump index (dump_file.cc) walks a well-formed file with it instead of simdjson, whose
// index of a whole file costs ~5 bytes a byte of text (issue 15, docs/design.md "Memory").
// Memory: a byte a level of nesting.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace ferry {

// Where and why a text stops being strict JSON.
struct JsonScanError {
  size_t offset = 0;        // the first byte at fault (text.size() when the text ends too soon)
  const char* reason = "";  // a static phrase, e.g. "a key must be followed by ':'"
};

// Whether `text` is one JSON value (RFC 8259: strict grammar, valid UTF-8, whitespace around
// it) nested at most `max_depth` levels; if so, *members is the number of object members in
// it. The scan functions below assume it is.
bool IsStrictJson(std::string_view text, size_t max_depth, size_t* members);

// IsStrictJson, except that a string's contents (its escapes, control characters) are left to
// its decoder (json_string.h), which judges each key and value on its own: a bad escape in one
// value is that value's problem, not the file's. When the text is not JSON, *error says where
// and why. `passed`, when set, is called now and then (every MiB or so) with the offset the scan
// has reached, in two passes (UTF-8, then the grammar), so that a caller reading a mapped file
// can let the pages behind it go.
// Memory: a byte a level of nesting.
bool IsJsonGrammar(std::string_view text, size_t max_depth, size_t* members, JsonScanError* error,
                   const std::function<void(size_t)>& passed = {});

// The offset of the first byte at or after `at` that is not JSON whitespace (text.size() if none).
size_t SkipJsonSpace(std::string_view text, size_t at);

// The offset just past the value starting at text[at]. REQUIRES: text is strict JSON.
// `passed`, when set, is told every 8 MiB how far a long value's skip has gone.
size_t SkipJsonValue(std::string_view text, size_t at,
                     const std::function<void(size_t)>& passed = {});

// The offset just past the string whose opening quote is text[quote]. REQUIRES: strict JSON.
size_t SkipJsonString(std::string_view text, size_t quote);

}  // namespace ferry
