// The bytes of Chromium's localStorage LevelDB folder, as constants. Every value here is
// explained, with hexdumps, in docs/formats/chromium-localstorage.md; the LevelDB parts
// follow LevelDB's own doc/log_format.md and doc/table_format.md.
//
// Thread safety: constants only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::chromium {

// --- Where the store lives -----------------------------------------------------------------

inline constexpr std::string_view kLocalStorageDir = "Local Storage";  // inside a profile
inline constexpr std::string_view kLevelDbDir = "leveldb";             // inside kLocalStorageDir
inline constexpr std::string_view kLocalStateFile = "Local State";     // marks a user-data folder

// --- localStorage entries (user keys and values of the LevelDB database) --------------------

// "VERSION" -> "1": the schema version of the whole database.
inline constexpr std::string_view kVersionKey = "VERSION";
inline constexpr std::string_view kKnownVersion = "1";
// "META:" + origin -> protobuf {1: last modified time, 2: size in bytes}.
inline constexpr std::string_view kMetaPrefix = "META:";
// "METAACCESS:" + origin -> protobuf {1: last access time}.
inline constexpr std::string_view kMetaAccessPrefix = "METAACCESS:";
// "_" + origin + 0x00 + encoded key -> encoded value. The origin ends at the FIRST 0x00: the
// origin never holds one, the key may.
inline constexpr char kDataKeyPrefix = '_';
inline constexpr char kOriginTerminator = '\0';

// An encoded string (key or value) is one encoding byte, then the UTF-16 code units.
inline constexpr uint8_t kEncodingUtf16Le = 0x00;  // two bytes per code unit, little-endian
inline constexpr uint8_t kEncodingLatin1 = 0x01;   // one byte per code unit (U+0000..U+00FF)

// --- LevelDB files ---------------------------------------------------------------------------

inline constexpr std::string_view kCurrentFile = "CURRENT";  // "MANIFEST-NNNNNN\n"
inline constexpr std::string_view kManifestPrefix = "MANIFEST-";
inline constexpr std::string_view kLockFile = "LOCK";        // held (fcntl) by the open database
inline constexpr std::string_view kLogSuffix = ".log";       // NNNNNN.log: write-ahead log
inline constexpr std::string_view kTableSuffix = ".ldb";     // NNNNNN.ldb: sorted table
inline constexpr std::string_view kOldTableSuffix = ".sst";  // older name of a table
inline constexpr std::string_view kBytewiseComparator = "leveldb.BytewiseComparator";

// --- LevelDB log format (the .log files and the MANIFEST) ------------------------------------

// A log is a sequence of 32 KiB blocks. Each fragment has a 7-byte header:
//   masked CRC32C of (type byte + payload) : u32 LE
//   payload length                         : u16 LE
//   type                                   : u8 (kFull, kFirst, kMiddle, kLast)
// Fewer than 7 bytes left in a block are zero padding (a "trailer").
inline constexpr size_t kLogBlockSize = 32768;
inline constexpr size_t kLogHeaderSize = 4 + 2 + 1;
enum LogRecordType : uint8_t {
  kZeroType = 0,  // never written: preallocated or zeroed space
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};

// CRCs are stored masked: rotate right by 15 bits, then add this constant.
inline constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;

// A log record of a .log file is a write batch:
//   sequence : u64 LE (of the first operation; operation i has sequence + i)
//   count    : u32 LE
//   count x { kTypeValue varstring key, varstring value | kTypeDeletion varstring key }
// where a varstring is a varint32 length and the bytes.
inline constexpr size_t kWriteBatchHeaderSize = 12;
enum ValueType : uint8_t {
  kTypeDeletion = 0,
  kTypeValue = 1,
};

// --- LevelDB MANIFEST (log format; each record is a version edit of tagged fields) ----------

enum ManifestTag : uint32_t {
  kComparatorTag = 1,      // varstring
  kLogNumberTag = 2,       // varint64: logs numbered below this are obsolete
  kNextFileNumberTag = 3,  // varint64
  kLastSequenceTag = 4,    // varint64
  kCompactPointerTag = 5,  // varint32 level, varstring internal key
  kDeletedFileTag = 6,     // varint32 level, varint64 file number
  kNewFileTag = 7,         // varint32 level, varint64 number, varint64 size, 2 x varstring key
  kPrevLogNumberTag = 9,   // varint64: a log still live from before log number
};
inline constexpr uint32_t kNumLevels = 7;

// --- LevelDB tables (.ldb) -------------------------------------------------------------------

// A table ends with a 48-byte footer: two block handles (varint64 offset, varint64 size:
// metaindex, then index), zero padding to 40 bytes, then this magic as u64 LE.
inline constexpr size_t kTableFooterSize = 48;
inline constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;
// Every block is followed by a trailer: compression type (u8: 0 none, 1 snappy) and the
// masked CRC32C of (block contents + type byte) as u32 LE.
inline constexpr size_t kBlockTrailerSize = 5;
inline constexpr uint8_t kNoCompression = 0;
inline constexpr uint8_t kSnappyCompression = 1;

// Keys inside tables are internal keys: user key + u64 LE ((sequence << 8) | ValueType).
inline constexpr size_t kInternalKeyTrailerSize = 8;

// The files of a LevelDB folder that are copied aside before reading: only those LevelDB reads
// (CURRENT, MANIFEST-*, *.log, *.ldb, *.sst), so that other files beside them (the lock a
// running browser holds, the LOG, or a huge file put there) are never copied.
inline bool IsCopiedStoreFile(const std::string& name) {
  auto ends_with = [&name](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == kCurrentFile || name.rfind(kManifestPrefix, 0) == 0 || ends_with(kLogSuffix) ||
         ends_with(kTableSuffix) || ends_with(kOldTableSuffix);
}

}  // namespace ferry::chromium
