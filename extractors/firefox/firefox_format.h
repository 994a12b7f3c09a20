// The bytes of Firefox's localStorage stores, as constants. Every value here is explained in
// docs/formats/firefox-localstorage.md (observed on Firefox ESR 153's stores in the shared
// fixtures); the SQLite file header follows sqlite.org/fileformat.html.
//
// Thread safety: constants only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry::firefox {

// --- Where the stores live, inside a profile folder ------------------------------------------

inline constexpr std::string_view kStorageDir = "storage";  // quota manager's folder
inline constexpr std::string_view kDefaultDir = "default";  // storage/default/<origin folder>
inline constexpr std::string_view kLsDir = "ls";            // <origin folder>/ls/data.sqlite
inline constexpr std::string_view kDataFile = "data.sqlite";
inline constexpr std::string_view kArchiveFile = "ls-archive.sqlite";    // storage/ls-archive
inline constexpr std::string_view kWebappsFile = "webappsstore.sqlite";  // profile/, the old one

// SQLite files that belong with a database file: its write-ahead log and rollback journal.
// "-shm" is an index SQLite rebuilds from the -wal; it is not copied.
inline constexpr std::string_view kWalSuffix = "-wal";
inline constexpr std::string_view kJournalSuffix = "-journal";

// --- Origin folder names: storage/default/<sanitized origin> ---------------------------------

// The origin with each of these characters replaced by kSanitizedChar
// ("http://127.0.0.1:8000" -> "http+++127.0.0.1+8000"; "[::1]" -> "[++1]").
inline constexpr std::string_view kSanitizedChars = ":/*?\"<>|\\";
inline constexpr char kSanitizedChar = '+';
// Origin attributes (container, private browsing, first-party isolation) follow the origin
// as a suffix starting with '^' ("http+++example.com^userContextId=1").
inline constexpr char kAttributesSeparator = '^';
inline constexpr std::string_view kSchemeSeparator = "://";

// --- LSNG: <origin folder>/ls/data.sqlite ----------------------------------------------------

// CREATE TABLE database(origin TEXT NOT NULL, usage INTEGER NOT NULL DEFAULT 0, ...): one row.
inline constexpr std::string_view kOriginQuery = "SELECT origin FROM database LIMIT 1";
// CREATE TABLE data(key TEXT PRIMARY KEY, utf16_length INTEGER NOT NULL, conversion_type
// INTEGER NOT NULL, compression_type INTEGER NOT NULL, last_access_time INTEGER NOT NULL
// DEFAULT 0, value BLOB NOT NULL). Keys in code point order (SQLite's BINARY collation on
// UTF-8 text), sorted by SQLite from the table's rows, as Firefox reads them (a full scan), never
// through the primary key's index: a damaged index could hold a key differently, or point two
// entries at one row and none at another (found by the differential check, docs/reliability.md).
inline constexpr std::string_view kDataQuery =
    "SELECT key, utf16_length, conversion_type, compression_type, value FROM data NOT INDEXED "
    "ORDER BY key";

// When reading in key order fails on a damaged page (the index's or the table's), the rows
// after the last key read are read again straight from the table, in storage order.
inline constexpr std::string_view kDataAfterQuery =
    "SELECT key, utf16_length, conversion_type, compression_type, value FROM data NOT INDEXED "
    "WHERE ?1 IS NULL OR key > ?1 ORDER BY rowid";

// conversion_type: how the value's text was turned into bytes.
inline constexpr int64_t kConversionUtf16 = 0;  // the UTF-16LE code units, unchanged
inline constexpr int64_t kConversionUtf8 = 1;   // UTF-8 (only for well-formed text)
// compression_type: what was done to those bytes.
inline constexpr int64_t kCompressionNone = 0;
inline constexpr int64_t kCompressionSnappy = 1;  // snappy raw format: varint length, then ops
// Snappy's best case: a 3-byte copy op yields 64 bytes. A claimed length above this many
// times the compressed size (plus a little) cannot be true.
inline constexpr uint64_t kSnappyMaxExpansion = 22;
// Marks an unknown utf16_length (the legacy stores keep none).
inline constexpr int64_t kUnknownLength = -1;

// --- Legacy stores: webappsstore.sqlite and storage/ls-archive.sqlite ------------------------

// CREATE TABLE webappsstore2(originAttributes TEXT, originKey TEXT, scope TEXT, key TEXT,
// value TEXT). originKey is the reversed host, ".", ":", scheme, and ":" port when there is one
// ("1.0.0.721.:http:8000" for http://127.0.0.1:8000); originAttributes the '^' suffix or "".
inline constexpr std::string_view kLegacyOriginsQuery =
    "SELECT DISTINCT originAttributes, originKey FROM webappsstore2";
inline constexpr std::string_view kLegacyRowsQuery =
    "SELECT key, -1, ?3, 0, value FROM webappsstore2 "
    "WHERE originAttributes IS ?1 AND originKey IS ?2 ORDER BY key";
inline constexpr char kOriginKeySeparator = ':';
inline constexpr char kReversedHostEnd = '.';

// --- SQLite file header (the first 100 bytes) ------------------------------------------------

inline constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
inline constexpr size_t kSqliteHeaderSize = 100;
inline constexpr size_t kPageSizeOffset = 16;       // u16 BE; 1 means 65536
inline constexpr size_t kChangeCounterOffset = 24;  // u32 BE
inline constexpr size_t kPageCountOffset = 28;      // u32 BE, valid when the next two agree
inline constexpr size_t kVersionValidOffset = 92;   // u32 BE, == change counter when valid

}  // namespace ferry::firefox
