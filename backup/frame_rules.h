// What the reader checks of a frame before it opens it: its name for messages, the segment it
// belongs in, whether it must carry the final tag, and its largest payload.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace ferry::backup
