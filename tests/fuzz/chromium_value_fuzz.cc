// Chromium's encoded strings (encoding byte, then UTF-16LE or Latin-1): the input is one
// stored key or value, decoded the three ways the extractor and `ferry export` do.
#include <string>

#include "extractors/chromium/value_codec.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(chromium_value) {
  std::string_view encoded = ferry::fuzz::AsText(data, size);
  std::string utf8;
  ferry::Utf16Damage damage;
  ferry::Status decoded = ferry::chromium::DecodeStoredString(encoded, &utf8, &damage);
  if (damage.any()) utf8 += damage.Describe();
  auto units = ferry::chromium::StoredStringUnits(encoded);
  std::string json;
  ferry::Utf16Damage json_damage;
  ferry::Status as_json = ferry::chromium::StoredStringToJson(encoded, &json, &json_damage);
  return 0;
}
