// Decoding one JSON string as a localStorage dump holds it (unpaired surrogate escapes
// allowed) and its exact canonical body for `ferry export`: the input is JSON text whose
// first byte is taken as the opening quote.
#include <cstdlib>
#include <string>

#include "extractors/common/json_exact.h"
#include "extractors/common/json_string.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(json_string) {
  std::string_view json = ferry::fuzz::AsText(data, size);
  if (json.empty() || json[0] != '"') return 0;
  auto decoded = ferry::DecodeJsonString(json, 0);
  auto exact = ferry::ExactJsonBody(json, 0);
  if (exact.ok()) {
    // The canonical body of a canonical body is itself.
    std::string quoted = "\"" + *exact + "\"";
    auto again = ferry::ExactJsonBody(quoted, 0);
    if (!again.ok() || *again != *exact) std::abort();
  }
  return 0;
}
