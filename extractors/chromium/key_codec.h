// The keys of Chromium's localStorage database: which kind each is, and for a data key its
// origin and encoded key. See chromium_format.h.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace ferry::chromium {

enum class StoreKeyKind {
  kVersion,     // "VERSION"
  kMeta,        // "META:" + origin
  kMetaAccess,  // "METAACCESS:" + origin
  kData,        // "_" + origin + 0x00 + encoded key
  kMalformed,   // starts like a data key but is not one (no 0x00 after the origin, no origin)
  kUnknown,     // none of the above
};

struct StoreKey {
  StoreKeyKind kind = StoreKeyKind::kUnknown;
  std::string_view origin;       // for kData, kMeta, kMetaAccess
  std::string_view encoded_key;  // for kData: encoding byte + code units (may be empty)
};

// Classifies a user key; the views point into `user_key`.
StoreKey ParseStoreKey(std::string_view user_key);

// `bytes` for a message: printable ASCII as is, anything else as \xNN, cut after `limit`
// bytes with "...".
std::string PrintableBytes(std::string_view bytes, size_t limit = 80);

}  // namespace ferry::chromium
