// Firefox's names for an origin: a storage/default folder name, and a legacy store's reversed
// originKey with its attributes. The input is the folder name; split at its first '\n', the
// part before is the originKey and the part after the attributes.
#include <string>

#include "extractors/firefox/origin_name.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(firefox_origin) {
  std::string_view text = ferry::fuzz::AsText(data, size);
  auto origin = ferry::firefox::OriginFromFolderName(text);
  if (origin.ok()) {
    std::string folder = ferry::firefox::FolderNameOf(*origin);
    std::string_view bare = ferry::firefox::OriginWithoutAttributes(*origin);
    (void)bare;
    (void)folder;
  }
  size_t newline = text.find('\n');
  std::string_view key = text.substr(0, newline);
  std::string_view attributes =
      newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  auto legacy = ferry::firefox::OriginFromStorageKey(key, attributes);
  return 0;
}
