// zstd compression of one data chunk, bounded on the way back: a chunk's payload is
// "u32 raw length | zstd frame", and decoding refuses a raw length over the archive's chunk
// bound and stops a frame that would decompress to more than its raw length (a zstd bomb
// costs at most one bound of memory).
//
// Thread safety: a ChunkCompressor/ChunkDecompressor is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace ferry::backup {

class ChunkCompressor {
 public:
  // Level 1 by default: the backup's cost is mostly zstd, and level 3 bought 1.6 points of
  // archive size for 1.7x its time (docs/benchmarks.md, "Backup cost").
  explicit ChunkCompressor(int level = kDefaultLevel);
  static constexpr int kDefaultLevel = 1;
  // The payload for `raw`: its length then its zstd frame. The view is of a buffer the
  // compressor reuses (no allocation or clearing per chunk): valid until the next call.
  std::string_view Encode(std::string_view raw) { return EncodeDeclaring(raw, raw.size()); }
  // As Encode, but declares `declared` as the raw length (tests forge lying chunks with it).
  std::string_view EncodeDeclaring(std::string_view raw, uint32_t declared);
  // As Encode, into `*buffer` (which only grows, as the compressor's own): for a payload that
  // outlives the next call, made on another thread than its sealing (source_read_ahead.h).
  std::string_view EncodeInto(std::string_view raw, std::string* buffer);

 private:
  std::string_view EncodeInto(std::string_view raw, uint32_t declared, std::string* buffer);
  struct Free {
    void operator()(ZSTD_CCtx_s* ctx) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, Free> ctx_;
  int level_;
  std::string buffer_;  // only grows: resizing it again clears nothing
};

class ChunkDecompressor {
 public:
  ChunkDecompressor();
  // Decodes `payload` into *raw. Corruption when the raw length exceeds `bound`, or the frame
  // is damaged, or it does not decompress to exactly the declared length (decompression
  // stops at that length: it never writes more).
  Status Decode(std::string_view payload, uint32_t bound, std::string* raw);
  // As Decode, into a buffer the decompressor reuses: *raw views it until the next call.
  Status Decode(std::string_view payload, uint32_t bound, std::string_view* raw);

 private:
  struct Free {
    void operator()(ZSTD_DCtx_s* ctx) const;
  };
  std::unique_ptr<ZSTD_DCtx_s, Free> ctx_;
  std::string buffer_;  // only grows
};

}  // namespace ferry::backup
