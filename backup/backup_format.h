// The byte layout of a ferry backup archive (docs/formats/backup.md has the full write-up).
//
//   archive  := header frame*
//   header   := magic "FERRYBAK" | u8 version | u8 key kind | u16 0 | u32 chunk bound
//               | u64 opslimit | u64 memlimit | 16 salt | 16 archive id | u64 created (unix s)
//               | u16 run id length | run id | 32 header MAC
//   frame    := u8 type | u32 payload length | payload
//
// Every integer is little-endian. Frames of a clear type (segment start, summary) carry their
// payload as is; every other frame's payload is one crypto_secretstream_xchacha20poly1305
// message of the segment opened by the last segment start, whose additional data is the
// header MAC, the segment index (u32), the segment kind (u8) and the frame type (u8). The
// last frame of each segment carries TAG_FINAL, so a cut segment is seen.
//
// Thread safety: constants only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry::backup {

inline constexpr std::string_view kMagic = "FERRYBAK";
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kHeaderFixedBytes = 8 + 1 + 1 + 2 + 4 + 8 + 8 + 16 + 16 + 8 + 2;
inline constexpr size_t kMacBytes = 32;
inline constexpr size_t kSaltBytes = 16;
inline constexpr size_t kArchiveIdBytes = 16;
inline constexpr size_t kMaxRunIdBytes = 256;
inline constexpr size_t kFrameHeaderBytes = 5;
inline constexpr size_t kHashBytes = 32;  // BLAKE2b-256

// Raw bytes a data chunk holds at most by default, and the largest bound a reader accepts.
inline constexpr uint32_t kDefaultChunkBytes = 1 << 20;
inline constexpr uint32_t kMaxChunkBytes = 16 << 20;
// The longest pre-image record and source entry name a reader accepts.
inline constexpr uint32_t kMaxRecordBytes = 64 << 20;
inline constexpr uint32_t kMaxNameBytes = 4096;

enum class KeyKind : uint8_t {
  kPassphrase = 1,  // Argon2id (crypto_pwhash_ALG_ARGON2ID13) of a passphrase and the salt
  kRawKey = 2,      // a 32-byte key; opslimit, memlimit and salt are zero
};

enum class SegmentKind : uint8_t {
  kSources = 1,    // the source files and their manifest, written once, first
  kPreImages = 2,  // one append session of pre-image records (any number of them)
  kEnd = 3,        // the archive is finished: totals of what came before
};

enum class FrameType : uint8_t {
  // Clear frames.
  kSegmentStart = 1,  // u8 segment kind | u32 segment index | 24 secretstream header
  kSummary = 2,       // u32 sources | u64 source bytes | 16 source set | 32 MAC (header key)
  // Sealed frames.
  kFileBegin = 16,     // u16 origin length | origin (absolute) | u16 name length | name
  kFileData = 17,      // u32 raw length | zstd frame
  kFileEnd = 18,       // u64 size | 32 BLAKE2b-256 of the file's bytes
  kManifest = 19,      // TAG_FINAL. u32 n | n * (u16 name len | name | u64 size | 32 hash)
  kPreImageData = 20,  // u32 raw length | zstd frame of (u32 length | record)*
  kPreImageEnd = 21,   // TAG_FINAL. u64 records so far | 32 BLAKE2b of the stream so far
  kEnd = 22,           // TAG_FINAL. u32 segments before | u64 records | 32 stream hash
};

// Subkey ids for crypto_kdf_derive_from_key with context kKdfContext.
inline constexpr uint64_t kHeaderMacSubkey = 1;
inline constexpr uint64_t kStreamSubkey = 2;
inline constexpr char kKdfContext[] = "ferrybak";

// The file name of an archive: "<id>" + kArchiveSuffix.
inline constexpr std::string_view kArchiveSuffix = ".ferrybak";

}  // namespace ferry::backup
