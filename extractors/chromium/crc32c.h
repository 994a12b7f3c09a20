// CRC32C (Castagnoli), as LevelDB uses it to check log fragments and table blocks, and its
// masked form (chromium_format.h, kCrcMaskDelta). LevelDB keeps its own copy internal (and
// Debian's is table-driven), so ferry has its own: the CPU's crc32 instruction where there is
// one (SSE4.2), else a small table-driven loop.
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace ferry::chromium {

// The CRC32C of `data` continuing from the CRC `crc` of earlier bytes (0 to start).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
// The same by the table-driven loop alone (what Crc32cExtend uses without SSE4.2).
uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data);

// The CRC as LevelDB stores it, and back.
uint32_t MaskCrc(uint32_t crc);
uint32_t UnmaskCrc(uint32_t masked);

}  // namespace ferry::chromium
