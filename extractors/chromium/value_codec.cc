#include "extractors/chromium/value_codec.h"

#include <fmt/format.h>

#include "extractors/chromium/chromium_format.h"

namespace ferry::chromium {

namespace {

// The encoding byte of `encoded`, or a Corruption when there is none or it is unknown.
Result<uint8_t> EncodingOf(std::string_view encoded) {
  if (encoded.empty()) {
    return Status::Corruption("empty string encoding (no encoding byte)");
  }
  auto encoding = static_cast<uint8_t>(encoded[0]);
  if (encoding != kEncodingUtf16Le && encoding != kEncodingLatin1) {
    return Status::Corruption(
        fmt::format("unknown string encoding byte 0x{:02x} (expected 0x00 UTF-16LE or 0x01 "
                    "Latin-1)",
                    encoding));
  }
  return encoding;
}

}  // namespace

Status DecodeStoredString(std::string_view encoded, std::string* utf8, Utf16Damage* damage) {
  FERRY_ASSIGN_OR_RETURN(uint8_t encoding, EncodingOf(encoded));
  utf8->clear();
  *damage = Utf16Damage();
  if (encoding == kEncodingLatin1) {
    AppendLatin1AsUtf8(encoded.substr(1), utf8);
  } else {
    *damage = AppendUtf16LeAsUtf8(encoded.substr(1), utf8);
  }
  return Status::OK();
}

Result<std::u16string> StoredStringUnits(std::string_view encoded) {
  FERRY_ASSIGN_OR_RETURN(uint8_t encoding, EncodingOf(encoded));
  std::string_view units = encoded.substr(1);
  if (encoding == kEncodingLatin1) {
    std::u16string result(units.size(), u'\0');
    for (size_t i = 0; i < units.size(); ++i) {
      result[i] = static_cast<unsigned char>(units[i]);
    }
    return result;
  }
  if (units.size() % 2 != 0) {
    return Status::Corruption(
        fmt::format("UTF-16LE string of {} bytes: odd byte count", units.size()));
  }
  return Utf16LeUnits(units);
}

Status StoredStringToJson(std::string_view encoded, std::string* json_body, Utf16Damage* damage) {
  FERRY_ASSIGN_OR_RETURN(uint8_t encoding, EncodingOf(encoded));
  std::string_view units = encoded.substr(1);
  *damage = Utf16Damage();
  if (encoding == kEncodingLatin1) {
    FERRY_ASSIGN_OR_RETURN(std::u16string code_units, StoredStringUnits(encoded));
    *json_body = Utf16ToJsonEscapedUtf8(code_units);
    return Status::OK();
  }
  std::string ignored;  // decoded only to describe the damage
  *damage = AppendUtf16LeAsUtf8(units, &ignored);
  *json_body = Utf16ToJsonEscapedUtf8(Utf16LeUnits(units));
  if (damage->odd_byte) {
    *json_body += "\\ufffd";
  }
  return Status::OK();
}

}  // namespace ferry::chromium
