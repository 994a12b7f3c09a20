// A small scanner over JSON text that finds where each token is, without building anything.
//
// The dump index (dump_file.cc) walks a well-formed file with it instead of simdjson, whose
// index of a whole file costs ~5 bytes a byte of text (issue 15, docs/design.md "Memory").
// Memory: a byte a level of nesting.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace ferry {

// Whether `text` is one JSON value (RFC 8259: strict grammar, valid UTF-8, whitespace around
// it) nested at most `max_depth` levels; if so, *members is the number of object members in
// it. The scan functions below assume it is.
bool IsStrictJson(std::string_view text, size_t max_depth, size_t* members);

// The offset of the first byte at or after `at` that is not JSON whitespace (text.size() if none).
size_t SkipJsonSpace(std::string_view text, size_t at);

// The offset just past the value starting at text[at]. REQUIRES: text is strict JSON.
size_t SkipJsonValue(std::string_view text, size_t at);

// The offset just past the string whose opening quote is text[quote]. REQUIRES: strict JSON.
size_t SkipJsonString(std::string_view text, size_t quote);

}  // namespace ferry
