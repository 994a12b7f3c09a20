#include "backup/chunk_codec.h"

#include <zstd.h>

#include "backup/bytes.h"

namespace ferry::backup {

void ChunkCompressor::Free::operator()(ZSTD_CCtx_s* ctx) const { ZSTD_freeCCtx(ctx); }
void ChunkDecompressor::Free::operator()(ZSTD_DCtx_s* ctx) const { ZSTD_freeDCtx(ctx); }

ChunkCompressor::ChunkCompressor(int level) : ctx_(ZSTD_createCCtx()), level_(level) {}

std::string ChunkCompressor::EncodeDeclaring(std::string_view raw, uint32_t declared) {
  ByteWriter w;
  w.U32(declared);
  std::string& out = w.str();
  size_t at = out.size();
  out.resize(at + ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compressCCtx(ctx_.get(), out.data() + at, out.size() - at, raw.data(), raw.size(),
                               level_);
  // Compressing into a buffer of ZSTD_compressBound cannot fail but for lack of memory.
  out.resize(ZSTD_isError(n) ? at : at + n);
  return std::move(out);
}

ChunkDecompressor::ChunkDecompressor() : ctx_(ZSTD_createDCtx()) {}

Status ChunkDecompressor::Decode(std::string_view payload, uint32_t bound, std::string* raw) {
  ByteReader r(payload);
  uint32_t declared = 0;
  if (!r.U32(&declared)) {
    return Status::Corruption("no raw length");
  }
  if (declared > bound) {
    return Status::Corruption("declares " + std::to_string(declared) +
                              " raw bytes, over the archive's chunk bound of " +
                              std::to_string(bound));
  }
  std::string_view frame = payload.substr(r.offset());
  unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) {
    return Status::Corruption("not a zstd frame");
  }
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != declared) {
    return Status::Corruption("zstd frame holds " + std::to_string(content) +
                              " bytes, its chunk declares " + std::to_string(declared));
  }
  // One byte of slack: a frame with more data than declared fills it and is refused, without
  // ever writing past the bound.
  raw->resize(size_t{declared} + 1);
  size_t n = ZSTD_decompressDCtx(ctx_.get(), raw->data(), raw->size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    raw->clear();
    return Status::Corruption(std::string("decompression stopped: ") + ZSTD_getErrorName(n));
  }
  if (n != declared) {
    raw->clear();
    return Status::Corruption("decompresses to " + std::string(n > declared ? "more" : "fewer") +
                              " bytes than the " + std::to_string(declared) + " it declares");
  }
  raw->resize(n);
  return Status::OK();
}

}  // namespace ferry::backup
