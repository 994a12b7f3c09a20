#include "extractors/chromium/coding.h"

namespace ferry::chromium {

uint32_t DecodeFixed32(const char* data) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  return static_cast<uint32_t>(bytes[0]) | (static_cast<uint32_t>(bytes[1]) << 8) |
         (static_cast<uint32_t>(bytes[2]) << 16) | (static_cast<uint32_t>(bytes[3]) << 24);
}

uint64_t DecodeFixed64(const char* data) {
  return static_cast<uint64_t>(DecodeFixed32(data)) |
         (static_cast<uint64_t>(DecodeFixed32(data + 4)) << 32);
}

bool ByteReader::GetVarint64(uint64_t* value) {
  uint64_t result = 0;
  // At most 10 bytes; the 10th may only carry the top bit of a u64.
  for (unsigned shift = 0, i = 0; i < rest_.size() && shift <= 63; shift += 7, ++i) {
    auto byte = static_cast<unsigned char>(rest_[i]);
    if (shift == 63 && (byte & 0x7e) != 0) {
      return false;
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      rest_.remove_prefix(i + 1);
      *value = result;
      return true;
    }
  }
  return false;
}

bool ByteReader::GetVarint32(uint32_t* value) {
  ByteReader probe = *this;
  uint64_t wide = 0;
  if (!probe.GetVarint64(&wide) || wide > UINT32_MAX) {
    return false;
  }
  *this = probe;
  *value = static_cast<uint32_t>(wide);
  return true;
}

bool ByteReader::GetFixed32(uint32_t* value) {
  if (rest_.size() < 4) {
    return false;
  }
  *value = DecodeFixed32(rest_.data());
  rest_.remove_prefix(4);
  return true;
}

bool ByteReader::GetFixed64(uint64_t* value) {
  if (rest_.size() < 8) {
    return false;
  }
  *value = DecodeFixed64(rest_.data());
  rest_.remove_prefix(8);
  return true;
}

bool ByteReader::GetLengthPrefixed(std::string_view* value) {
  ByteReader probe = *this;
  uint32_t length = 0;
  if (!probe.GetVarint32(&length) || length > probe.rest_.size()) {
    return false;
  }
  *value = probe.rest_.substr(0, length);
  probe.rest_.remove_prefix(length);
  *this = probe;
  return true;
}

bool ByteReader::GetByte(uint8_t* value) {
  if (rest_.empty()) {
    return false;
  }
  *value = static_cast<uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  return true;
}

}  // namespace ferry::chromium
