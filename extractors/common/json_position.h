// Where simdjson's on-demand parser stands in a document, for error messages.
//
// Thread safety: free functions over a document that the caller owns.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace ferry {

// True when the document holds nothing after the root value read so far (simdjson 3.0.1's
// document has no at_end()).
bool AtEnd(simdjson::ondemand::document& doc);

// Corruption naming byte, line and column of the parser's current position in `text` (the
// contents of `file`) for `error`; where the parser has no position, the place the error
// most likely refers to (LocateWholeTextError), else the end of the text.
Status CorruptionHere(const std::string& file, std::string_view text,
                      simdjson::ondemand::document& doc, simdjson::error_code error);

}  // namespace ferry
