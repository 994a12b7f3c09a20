// Text as Firefox's stores hold it (UTF-8 or UTF-16LE bytes), turned into UTF-8 for an Entry.
//
// Text that is not well-formed is never dropped: an unpaired surrogate (UTF-16LE, or UTF-8
// bytes ED A0..BF xx that encode one) and an invalid UTF-8 byte become U+FFFD in `utf8`, and
// `exact_json` keeps every code unit it can (unpaired surrogates as \uXXXX escapes, see
// extractors/common/utf16.h) for `ferry export`.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::firefox {

struct DecodedText {
  std::string utf8;               // well-formed UTF-8
  int64_t code_units = 0;         // length of the text in UTF-16 code units
  bool lossy = false;             // utf8 holds U+FFFD in place of what was not well-formed
  std::string exact_json;         // only when lossy: JSON string body keeping unpaired surrogates
  std::string problem;            // only when lossy: "unpaired surrogate U+D800 at code unit 0 ..."
  bool problem_is_utf16 = false;  // the problem is unpaired surrogates / an odd byte only
};

// Decodes UTF-8 `bytes`. Surrogates encoded in three bytes (generalized UTF-8) are kept as
// lone code units; other invalid sequences become U+FFFD, one per maximal bad subpart.
DecodedText DecodeUtf8(std::string_view bytes);
// The same, taking over `bytes` as the result when they are well-formed (no copy).
DecodedText DecodeUtf8(std::string&& bytes);

// Decodes UTF-16LE `bytes`; unpaired surrogates and a dangling odd byte become U+FFFD.
DecodedText DecodeUtf16Le(std::string_view bytes);

// The UTF-16 code units of UTF-8 `bytes` decoded as DecodeUtf8 does (U+FFFD for bad bytes).
std::u16string Utf8Units(std::string_view bytes);

}  // namespace ferry::firefox
