// Firefox's names for an origin, turned back into the origin ("http://127.0.0.1:8000"):
// the folder name under storage/default ("http+++127.0.0.1+8000") and the legacy stores'
// reversed originKey ("1.0.0.721.:http:8000"). Origin attributes (a '^' suffix such as
// "^userContextId=1") are kept on the origin: they make a separate store.
//
// The names come from files a user hands us: anything that is not a plausible origin fails
// InvalidArgument (a message without a place), never a crash.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace ferry::firefox {

// "http+++127.0.0.1+8000" -> "http://127.0.0.1:8000"; "https+++[++1]+8443^userContextId=2"
// -> "https://[::1]:8443^userContextId=2".
Result<std::string> OriginFromFolderName(std::string_view folder_name);

// The folder name Firefox gives `origin`: each of firefox_format.h's kSanitizedChars as '+'.
std::string FolderNameOf(std::string_view origin);

// ("1.0.0.721.:http:8000", "") -> "http://127.0.0.1:8000"; a scheme's default port is left
// out ("moc.elpmaxe.:https:443" -> "https://example.com"); `attributes` ("^userContextId=1"
// or "") is appended.
Result<std::string> OriginFromStorageKey(std::string_view origin_key, std::string_view attributes);

// The origin without its attribute suffix ("http://x^userContextId=1" -> "http://x").
std::string_view OriginWithoutAttributes(std::string_view origin);

}  // namespace ferry::firefox
