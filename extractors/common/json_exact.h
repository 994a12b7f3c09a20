// Exact JSON string bodies: the canonical text `ferry export` writes for a localStorage string,
// with every UTF-16 code unit kept (Entry::exact_*_json).
//
// One escaper for everything, so that equal code units always give equal text: `"`, `\`,
// \b \f \n \r \t, other controls below U+0020 as \u00XX (lowercase hex), each unpaired
// surrogate as \udXXX, every other character as UTF-8. It is the escaper of
// Utf16ToJsonEscapedUtf8 (utf16.h); these functions take UTF-8 or JSON text instead.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ferry {

// Appends the canonical body of well-formed UTF-8 `text` to *out. Runs of plain bytes are
// copied whole, so a multi-megabyte value costs one pass. REQUIRES: `text` is UTF-8.
void AppendJsonBody(std::string_view text, std::string* out);

// The canonical body of well-formed UTF-8 `text`.
std::string JsonBody(std::string_view text);

// The canonical body of the JSON string whose opening quote is at json[quote], unpaired
// surrogate escapes kept as escapes ("\uD800" becomes "\ud800", "\u0041" becomes "A").
// Fails Corruption (no file name) on a bad escape, a raw control character, bytes that are
// not UTF-8 or a missing closing quote.
Result<std::string> ExactJsonBody(std::string_view json, size_t quote);

}  // namespace ferry
