// UTF-16LE and Latin-1 decoding (extractors/common/utf16.h) and Firefox's UTF-8/UTF-16LE text
// codec: the input is the bytes of a stored string, decoded every way ferry decodes one.
#include <cstdlib>
#include <string>

#include "extractors/common/utf16.h"
#include "extractors/firefox/text_codec.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

namespace {

// Aborts unless `text` is well-formed UTF-8 (what every decoder here promises).
void RequireUtf8(std::string_view text) {
  if (ferry::firefox::DecodeUtf8(text).lossy) std::abort();
}

}  // namespace

FERRY_FUZZ_TARGET(text_utf16) {
  std::string_view bytes = ferry::fuzz::AsText(data, size);
  std::string utf8;
  ferry::Utf16Damage damage = ferry::AppendUtf16LeAsUtf8(bytes, &utf8);
  RequireUtf8(utf8);
  if (damage.any()) utf8 = damage.Describe();
  std::string latin1;
  ferry::AppendLatin1AsUtf8(bytes, &latin1);
  RequireUtf8(latin1);
  std::u16string units = ferry::Utf16LeUnits(bytes);
  if (units.size() != size / 2) std::abort();
  std::string json = ferry::Utf16ToJsonEscapedUtf8(units);

  ferry::firefox::DecodedText from_utf8 = ferry::firefox::DecodeUtf8(bytes);
  ferry::firefox::DecodedText from_utf16 = ferry::firefox::DecodeUtf16Le(bytes);
  RequireUtf8(from_utf16.utf8);
  std::u16string utf8_units = ferry::firefox::Utf8Units(bytes);
  if (static_cast<int64_t>(utf8_units.size()) != from_utf8.code_units) std::abort();
  return 0;
}
