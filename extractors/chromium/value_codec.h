// Chromium's encoded localStorage strings (keys and values alike): one encoding byte, then
// the UTF-16 code units, as UTF-16LE (0x00) or Latin-1 (0x01). See chromium_format.h.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "extractors/common/utf16.h"

namespace ferry::chromium {

// Replaces *utf8 with the UTF-8 text of `encoded`; an unpaired surrogate or an odd byte count
// becomes U+FFFD and is described in *damage. Fails Corruption (message without a place) when
// `encoded` is empty or its encoding byte is neither 0x00 nor 0x01.
Status DecodeStoredString(std::string_view encoded, std::string* utf8, Utf16Damage* damage);

// The exact code units of `encoded`, unpaired surrogates kept. Fails Corruption as above, and
// on an odd byte count (which no code unit sequence matches).
Result<std::u16string> StoredStringUnits(std::string_view encoded);

// The JSON string body of `encoded` (Utf16ToJsonEscapedUtf8): unpaired surrogates kept as
// \uXXXX escapes, for `ferry export`. A dangling odd byte becomes \ufffd and is described in
// *damage. Fails Corruption as DecodeStoredString.
Status StoredStringToJson(std::string_view encoded, std::string* json_body, Utf16Damage* damage);

}  // namespace ferry::chromium
