// What the reader checks of a frame before it opens it: its name for messages, the segment it
// belongs in, whether it must carry the final tag, and its largest payload.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "backup/backup_format.h"

namespace ferry::backup {

// "file data", "manifest", ...; "unknown frame type" for a byte that names none.
const char* FrameName(uint8_t type);

// "sources", "pre-images", "end".
const char* SegmentName(SegmentKind kind);

// True for the frames that close a segment (TAG_FINAL).
bool IsFinalType(FrameType type);

// True when a frame of `type` may appear in a segment of `kind`.
bool BelongsTo(FrameType type, SegmentKind kind);

// The longest payload a frame of `type` may have in an archive of `chunk_bytes`; 0 for an
// unknown type.
size_t MaxPayload(FrameType type, uint32_t chunk_bytes);

// The clear summary after the sources: u32 files | u64 bytes | 16 source set | [u8 length |
// the id of the archive holding the sources, when another does] | 32 MAC of the header MAC
// and the `signed_length` bytes before it.
struct SummaryFields {
  uint32_t files = 0;
  uint64_t bytes = 0;
  std::array<uint8_t, 16> source_set{};
  std::string sources_in;
  size_t signed_length = 0;
  std::array<uint8_t, kMacBytes> mac{};
};

// False when `payload` is not a summary's layout.
bool ParseSummary(std::string_view payload, SummaryFields* out);

}  // namespace ferry::backup
