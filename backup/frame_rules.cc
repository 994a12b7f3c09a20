#include "backup/frame_rules.h"

#include <zstd.h>

#include "backup/bytes.h"
#include "backup/sealed_stream.h"

namespace ferry::backup {

const char* FrameName(uint8_t type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::kSegmentStart:
      return "segment start";
    case FrameType::kSummary:
      return "summary";
    case FrameType::kFileBegin:
      return "file begin";
    case FrameType::kFileData:
      return "file data";
    case FrameType::kFileEnd:
      return "file end";
    case FrameType::kManifest:
      return "manifest";
    case FrameType::kPreImageData:
      return "pre-image data";
    case FrameType::kPreImageEnd:
      return "pre-image end";
    case FrameType::kEnd:
      return "end";
  }
  return "unknown frame type";
}

const char* SegmentName(SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kSources:
      return "sources";
    case SegmentKind::kPreImages:
      return "pre-images";
    case SegmentKind::kEnd:
      return "end";
  }
  return "unknown";
}

bool IsFinalType(FrameType type) {
  return type == FrameType::kManifest || type == FrameType::kPreImageEnd || type == FrameType::kEnd;
}

bool BelongsTo(FrameType type, SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kSources:
      return type == FrameType::kFileBegin || type == FrameType::kFileData ||
             type == FrameType::kFileEnd || type == FrameType::kManifest;
    case SegmentKind::kPreImages:
      return type == FrameType::kPreImageData || type == FrameType::kPreImageEnd;
    case SegmentKind::kEnd:
      return type == FrameType::kEnd;
  }
  return false;
}

size_t MaxPayload(FrameType type, uint32_t chunk_bytes) {
  size_t data = 4 + ZSTD_compressBound(chunk_bytes) + kSealOverheadBytes;
  switch (type) {
    case FrameType::kSegmentStart:
      return 1 + 4 + kStreamHeaderBytes;
    case FrameType::kSummary:
      return 4 + 8 + 16 + 1 + 255 + kMacBytes;  // with the archive holding the sources
    case FrameType::kFileBegin:
      return 4 + 2 * kMaxNameBytes + kSealOverheadBytes;
    case FrameType::kFileData:
    case FrameType::kPreImageData:
      return data;
    case FrameType::kFileEnd:
      return 8 + kHashBytes + kSealOverheadBytes;
    case FrameType::kManifest:
      return kMaxRecordBytes;
    case FrameType::kPreImageEnd:
      return 8 + kHashBytes + kSealOverheadBytes;
    case FrameType::kEnd:
      return 4 + 8 + kHashBytes + kSealOverheadBytes;
  }
  return 0;
}

bool ParseSummary(std::string_view payload, SummaryFields* out) {
  ByteReader r(payload);
  r.U32(&out->files);
  r.U64(&out->bytes);
  r.Bytes(out->source_set.size(), out->source_set.data());
  if (payload.size() > 4 + 8 + 16 + kMacBytes) {  // names the archive holding the sources
    uint8_t length = 0;
    std::string_view held;
    r.U8(&length);
    r.Bytes(length, &held);
    out->sources_in = std::string(held);
    if (out->sources_in.empty()) return false;
  }
  out->signed_length = r.offset();
  r.Bytes(out->mac.size(), out->mac.data());
  return r.at_end();
}

}  // namespace ferry::backup
