// The RFC 3339 parser: the input is a date-time as a record holds it. What parses must format
// back to a date-time that parses to the same instant.
#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"
#include "transformers/datetime.h"

FERRY_FUZZ_TARGET(rfc3339) {
  std::string_view text = ferry::fuzz::AsText(data, size);
  std::optional<int64_t> millis = ferry::ParseRfc3339Millis(text);
  if (millis.has_value() != ferry::IsRfc3339DateTime(text)) std::abort();
  bool is_date = ferry::IsRfc3339Date(text);
  (void)is_date;
  if (millis && *millis >= -62167219200000 && *millis <= 253402300799999) {
    std::string formatted = ferry::FormatTimestampMillis(*millis);
    if (ferry::ParseRfc3339Millis(formatted) != millis) std::abort();
  }
  return 0;
}
