#include "backup/chunk_codec.h"

#include <zstd.h>

#include "backup/bytes.h"

namespace ferry::backup {

void ChunkCompressor::Free::operator()(ZSTD_CCtx_s* ctx) const { ZSTD_freeCCtx(ctx); }
void ChunkDecompressor::Free::operator()(ZSTD_DCtx_s* ctx) const { ZSTD_freeDCtx(ctx); }

ChunkCompressor::ChunkCompressor(int level) : ctx_(ZSTD_createCCtx()), level_(level) {}

std::string_view ChunkCompressor::EncodeDeclaring(std::string_view raw, uint32_t declared) {
  return EncodeInto(raw, declared, &buffer_);
}

std::string_view ChunkCompressor::EncodeInto(std::string_view raw, std::string* buffer) {
  return EncodeInto(raw, static_cast<uint32_t>(raw.size()), buffer);
}

std::string_view ChunkCompressor::EncodeInto(std::string_view raw, uint32_t declared,
                                             std::string* buffer) {
  constexpr size_t at = 4;
  size_t need = at + ZSTD_compressBound(raw.size());
  if (buffer->size() < need) buffer->resize(need);
  for (size_t i = 0; i < at; ++i) (*buffer)[i] = static_cast<char>((declared >> (8 * i)) & 0xff);
  size_t n = ZSTD_compressCCtx(ctx_.get(), buffer->data() + at, buffer->size() - at, raw.data(),
                               raw.size(), level_);
  // Compressing into a buffer of ZSTD_compressBound cannot fail but for lack of memory.
  return std::string_view(buffer->data(), ZSTD_isError(n) ? at : at + n);
}

ChunkDecompressor::ChunkDecompressor() : ctx_(ZSTD_createDCtx()) {}

Status ChunkDecompressor::Decode(std::string_view payload, uint32_t bound, std::string* raw) {
  std::string_view view;
  Status status = Decode(payload, bound, &view);
  raw->assign(view);
  return status;
}

Status ChunkDecompressor::Decode(std::string_view payload, uint32_t bound, std::string_view* raw) {
  *raw = std::string_view();
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
  if (buffer_.size() < size_t{declared} + 1) buffer_.resize(size_t{declared} + 1);
  size_t n = ZSTD_decompressDCtx(ctx_.get(), buffer_.data(), size_t{declared} + 1, frame.data(),
                                 frame.size());
  if (ZSTD_isError(n)) {
    return Status::Corruption(std::string("decompression stopped: ") + ZSTD_getErrorName(n));
  }
  if (n != declared) {
    return Status::Corruption("decompresses to " + std::string(n > declared ? "more" : "fewer") +
                              " bytes than the " + std::to_string(declared) + " it declares");
  }
  *raw = std::string_view(buffer_.data(), n);
  return Status::OK();
}

}  // namespace ferry::backup
