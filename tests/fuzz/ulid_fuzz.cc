// The ULID decoder: the input is a ULID as text. What decodes must encode back to the
// canonical form of the same text (uppercase, I/L as 1, O as 0).
#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"
#include "transformers/ulid.h"

FERRY_FUZZ_TARGET(ulid) {
  std::string_view text = ferry::fuzz::AsText(data, size);
  auto decoded = ferry::DecodeUlid(text);
  if (!decoded.ok()) return 0;
  std::string encoded = ferry::EncodeUlid(*decoded);
  auto again = ferry::DecodeUlid(encoded);
  if (!again.ok() || *again != *decoded || encoded.size() != 26) std::abort();
  if (decoded->time_ms() > ferry::kUlidMaxTime) std::abort();
  return 0;
}
