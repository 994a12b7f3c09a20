// Chromium's localStorage keys: the input is one user key of the LevelDB store.
#include <cstdlib>
#include <string>

#include "extractors/chromium/key_codec.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(chromium_key) {
  std::string_view key = ferry::fuzz::AsText(data, size);
  ferry::chromium::StoreKey parsed = ferry::chromium::ParseStoreKey(key);
  // The views must point into the key.
  for (std::string_view part : {parsed.origin, parsed.encoded_key}) {
    if (!part.empty() &&
        (part.data() < key.data() || part.data() + part.size() > key.data() + key.size())) {
      std::abort();
    }
  }
  std::string printable = ferry::chromium::PrintableBytes(key);
  if (printable.size() > 4 * 80 + 3) std::abort();  // cut after 80 bytes, each at most \xNN
  return 0;
}
