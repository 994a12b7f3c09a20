#include "extractors/firefox/value_codec.h"

#include <fmt/format.h>
#include <snappy.h>

#include <string>

namespace ferry::firefox {

namespace {

// The byte counts a text of `utf16_length` code units can take after `conversion_type`.
void ConvertedSizeRange(int64_t conversion_type, int64_t utf16_length, uint64_t* low,
                        uint64_t* high) {
  auto units = static_cast<uint64_t>(utf16_length);
  if (conversion_type == kConversionUtf16) {
    *low = *high = 2 * units;
  } else {  // UTF-8: one byte (ASCII) to three bytes (the rest of the BMP) per code unit
    *low = units;
    *high = 3 * units;
  }
}

// Uncompresses snappy raw `compressed` into *out after checking its length header against
// what `value` allows, so that a lying header never makes a huge allocation.
Status Unsnappy(const StoredValue& value, std::string* out) {
  std::string_view compressed = value.bytes;
  size_t claimed = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &claimed)) {
    return Status::Corruption(
        fmt::format("snappy value ({} bytes) has no valid length header", compressed.size()));
  }
  uint64_t most = kSnappyMaxExpansion * compressed.size() + 32;
  if (claimed > most) {
    return Status::Corruption(
        fmt::format("snappy length header says {} bytes, more than {} compressed bytes can hold",
                    claimed, compressed.size()));
  }
  if (value.utf16_length >= 0) {
    uint64_t low = 0;
    uint64_t high = 0;
    ConvertedSizeRange(value.conversion_type, value.utf16_length, &low, &high);
    if (claimed < low || claimed > high) {
      return Status::Corruption(
          fmt::format("snappy length header says {} bytes, but utf16_length {} allows {}..{} bytes",
                      claimed, value.utf16_length, low, high));
    }
  }
  out->resize(claimed);
  if (!snappy::RawUncompress(compressed.data(), compressed.size(), out->data())) {
    return Status::Corruption(
        fmt::format("snappy value ({} bytes, {} uncompressed) is corrupt: it does not decompress",
                    compressed.size(), claimed));
  }
  return Status::OK();
}

}  // namespace

Result<DecodedText> DecodeStoredValue(const StoredValue& value) {
  if (value.conversion_type != kConversionUtf16 && value.conversion_type != kConversionUtf8) {
    return Status::Corruption(
        fmt::format("unknown conversion_type {} (expected {} UTF-16LE or {} UTF-8)",
                    value.conversion_type, kConversionUtf16, kConversionUtf8));
  }
  if (value.compression_type != kCompressionNone && value.compression_type != kCompressionSnappy) {
    return Status::Corruption(
        fmt::format("unknown compression_type {} (expected {} none or {} snappy)",
                    value.compression_type, kCompressionNone, kCompressionSnappy));
  }
  std::string uncompressed;
  std::string_view bytes = value.bytes;
  if (value.compression_type == kCompressionSnappy) {
    FERRY_RETURN_IF_ERROR(Unsnappy(value, &uncompressed));
    bytes = uncompressed;
  }
  if (value.conversion_type == kConversionUtf16) {
    return DecodeUtf16Le(bytes);
  }
  if (value.compression_type == kCompressionSnappy) {
    return DecodeUtf8(std::move(uncompressed));  // a large value is not copied again
  }
  return DecodeUtf8(bytes);
}

}  // namespace ferry::firefox
