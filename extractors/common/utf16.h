// UTF-16 text, as browsers keep localStorage strings, turned into UTF-8.
//
// Browser strings are sequences of UTF-16 code units that need not be well-formed: a page may
// store an unpaired surrogate ("\ud800x"). Decoding to UTF-8 replaces each one (and a dangling
// odd byte) with U+FFFD and says so in a Utf16Damage, never silently. Utf16ToJsonEscapedUtf8
// keeps them instead, as \uXXXX escapes, for `ferry export`.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry {

// What was not well-formed in decoded UTF-16 text.
struct Utf16Damage {
  int64_t lone_surrogates = 0;    // unpaired surrogate code units, each now U+FFFD
  int64_t first_lone_index = -1;  // code-unit index of the first one
  uint16_t first_lone_unit = 0;   // its value
  bool odd_byte = false;          // a byte left over after the last whole code unit

  bool any() const { return lone_surrogates > 0 || odd_byte; }
  // "unpaired surrogate U+D800 at code unit 0 (2 in all); odd byte count (a dangling byte)"
  std::string Describe() const;
};

// Appends the UTF-8 form of the UTF-16LE `bytes` to *out, each unpaired surrogate and a
// dangling odd byte as U+FFFD. Grows *out exactly once. Returns what was replaced.
Utf16Damage AppendUtf16LeAsUtf8(std::string_view bytes, std::string* out);

// Appends the UTF-8 form of Latin-1 `bytes` (each byte the code point U+0000..U+00FF).
void AppendLatin1AsUtf8(std::string_view bytes, std::string* out);

// The code units of UTF-16LE `bytes`; a dangling odd byte is left out.
std::u16string Utf16LeUnits(std::string_view bytes);

// The body (without quotes) of a JSON string holding exactly `units`: UTF-8, with `"`, `\`
// and controls below U+0020 escaped (\n, \t, ... or \u001f, lowercase hex) and each unpaired
// surrogate as a \uXXXX escape ("\ud800"), so that nothing is lost. Every other character is
// written as UTF-8, so JSON readers that refuse unpaired surrogates fail only on those.
std::string Utf16ToJsonEscapedUtf8(std::u16string_view units);

}  // namespace ferry
