// Reading LevelDB's integer encodings (fixed little-endian and varints) from a byte string,
// with bounds checks: every reader fails instead of reading past the end.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace ferry::chromium {

// The u32 or u64 stored little-endian at data[0..4) or data[0..8). REQUIRES: enough bytes.
uint32_t DecodeFixed32(const char* data);
uint64_t DecodeFixed64(const char* data);

// A cursor over bytes; each Get* consumes what it decoded and returns false (consuming
// nothing useful) when the bytes end or the encoding is malformed.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : rest_(bytes) {}

  bool GetVarint32(uint32_t* value);
  bool GetVarint64(uint64_t* value);
  bool GetFixed32(uint32_t* value);
  bool GetFixed64(uint64_t* value);
  // A varint32 length followed by that many bytes; *value points into the input.
  bool GetLengthPrefixed(std::string_view* value);
  bool GetByte(uint8_t* value);

  bool empty() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace ferry::chromium
