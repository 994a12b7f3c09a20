#include "extractors/chromium/key_codec.h"

#include <fmt/format.h>

#include "extractors/chromium/chromium_format.h"

namespace ferry::chromium {

StoreKey ParseStoreKey(std::string_view user_key) {
  StoreKey key;
  if (user_key == kVersionKey) {
    key.kind = StoreKeyKind::kVersion;
  } else if (user_key.substr(0, kMetaAccessPrefix.size()) == kMetaAccessPrefix) {
    key.kind = StoreKeyKind::kMetaAccess;
    key.origin = user_key.substr(kMetaAccessPrefix.size());
  } else if (user_key.substr(0, kMetaPrefix.size()) == kMetaPrefix) {
    key.kind = StoreKeyKind::kMeta;
    key.origin = user_key.substr(kMetaPrefix.size());
  } else if (!user_key.empty() && user_key[0] == kDataKeyPrefix) {
    // The origin ends at the FIRST 0x00: a key may hold 0x00 itself, an origin never does.
    size_t end = user_key.find(kOriginTerminator, 1);
    if (end == std::string_view::npos || end == 1) {
      key.kind = StoreKeyKind::kMalformed;
    } else {
      key.kind = StoreKeyKind::kData;
      key.origin = user_key.substr(1, end - 1);
      key.encoded_key = user_key.substr(end + 1);
    }
  }
  return key;
}

std::string PrintableBytes(std::string_view bytes, size_t limit) {
  std::string text;
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      text += static_cast<char>(byte);
    } else {
      text += fmt::format("\\x{:02x}", byte);
    }
  }
  if (bytes.size() > limit) {
    text += "...";
  }
  return text;
}

}  // namespace ferry::chromium
