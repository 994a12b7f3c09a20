// Firefox's stored values (data.sqlite's value column with its conversion_type,
// compression_type and utf16_length). The input's first byte picks the columns: bits 0-1
// conversion_type (0 UTF-16LE, 1 UTF-8, 2-3 unknown), bits 2-3 compression_type (0 none,
// 1 snappy, 2-3 unknown), bit 4 set: the next 4 bytes are utf16_length (little-endian, signed).
// The rest is the value as stored.
#include <cstdlib>
#include <cstring>
#include <string>

#include "extractors/firefox/value_codec.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(firefox_value) {
  if (size == 0) return 0;
  ferry::firefox::StoredValue value;
  value.conversion_type = data[0] & 3;
  value.compression_type = (data[0] >> 2) & 3;
  size_t header = 1;
  if ((data[0] & 0x10) != 0) {
    if (size < 5) return 0;
    int32_t length = 0;
    std::memcpy(&length, data + 1, sizeof(length));
    value.utf16_length = length;
    header = 5;
  }
  value.bytes = ferry::fuzz::AsText(data + header, size - header);
  auto decoded = ferry::firefox::DecodeStoredValue(value);
  if (!decoded.ok()) return 0;
  // What the extractor relies on: well-formed UTF-8 out, and the exact form only when lossy.
  ferry::firefox::DecodedText again = ferry::firefox::DecodeUtf8(decoded->utf8);
  if (again.lossy) std::abort();
  if (!decoded->lossy && !decoded->exact_json.empty()) std::abort();
  return 0;
}
