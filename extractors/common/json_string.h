// Decoding a JSON string as a browser's localStorage holds it: UTF-16 text that need not be
// well-formed.
//
// simdjson (3.0.1) refuses a string with an unpaired UTF-16 surrogate escape ("\ud800"),
// which JSON.stringify(localStorage) writes for such text. This decoder takes it and puts
// U+FFFD in place of each unpaired surrogate, saying the text was decoded lossily.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ferry {

struct DecodedString {
  std::string text;    // UTF-8
  bool lossy = false;  // an unpaired surrogate became U+FFFD
};

// Decodes the JSON string whose opening quote is at json[quote], up to its closing quote.
// Bytes other than escapes are copied as they are (the caller has checked that the text is
// UTF-8). Fails Corruption with a message (no file name) on a bad escape, a raw control
// character or a missing closing quote.
Result<DecodedString> DecodeJsonString(std::string_view json, size_t quote);

// The size in bytes of DecodeJsonString's text, or its failure, with nothing decoded into
// memory: the same checks, for a reader that only needs to know a string decodes and how long
// it is (the dump index's cap on a value).
Result<uint64_t> DecodedJsonStringSize(std::string_view json, size_t quote);

}  // namespace ferry
