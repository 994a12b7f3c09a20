// A value as Firefox's data.sqlite keeps it: bytes that are compressed (compression_type) and
// converted (conversion_type), turned back into the text the page stored. See
// firefox_format.h and docs/formats/firefox-localstorage.md.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "extractors/firefox/firefox_format.h"
#include "extractors/firefox/text_codec.h"

namespace ferry::firefox {

struct StoredValue {
  std::string_view bytes;  // the value column, as stored
  int64_t conversion_type = kConversionUtf8;
  int64_t compression_type = kCompressionNone;
  int64_t utf16_length = kUnknownLength;  // the utf16_length column, when the store has one
};

// Decompresses and converts `value`. Fails Corruption (a message without a place) on an
// unknown conversion or compression type, a snappy value whose length header is malformed or
// lies (longer than its utf16_length or the compressed size allows), or snappy data that does
// not decompress. Text that is not well-formed is not a failure: see DecodedText::lossy.
Result<DecodedText> DecodeStoredValue(const StoredValue& value);

}  // namespace ferry::firefox
