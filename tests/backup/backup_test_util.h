// Helpers for the backup tests: keys, a small archive with many chunks, the frame map of an
// archive (to name the part a byte belongs to), and byte-level file edits.
#pragma once

#include <sodium.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "backup/archive_header.h"
#include "backup/backup_reader.h"
#include "backup/backup_writer.h"
#include "backup/bytes.h"

namespace ferry::backup::testing {

inline KeyMaterial RandomKey() {
  KeyMaterial key{KeyMaterial::Kind::kRawKey, SecretBytes(32)};
  randombytes_buf(key.secret.data(), key.secret.size());
  return key;
}

inline KeyMaterial Passphrase(const std::string& text) {
  return KeyMaterial{KeyMaterial::Kind::kPassphrase, SecretBytes(text)};
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Two small source files and one pre-image section of 3 records, in 64-byte chunks: about
// 20 chunks in 2 KiB.
inline void WriteSmallArchive(const std::string& dir, const std::string& path,
                              const KeyMaterial& key) {
  std::string a, b;
  for (int i = 0; i < 40; ++i) a += "line " + std::to_string(i) + " of a\n";
  for (int i = 0; i < 10; ++i) b += "b" + std::to_string(i * 7919);
  WriteBytes(dir + "/a.txt", a);
  WriteBytes(dir + "/b.bin", b);
  BackupWriterOptions options;
  options.chunk_bytes = 64;
  options.run_id = "RUN1";
  auto writer = BackupWriter::Create(path, key, options);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->AddSourceFile(dir + "/a.txt", dir + "/a.txt", "src/a.txt").ok());
  REQUIRE((*writer)->AddSourceFile(dir + "/b.bin", dir + "/b.bin", "src/b.bin").ok());
  REQUIRE((*writer)->EndSources().ok());
  REQUIRE((*writer)->BeginPreImages().ok());
  REQUIRE((*writer)->AppendPreImage("row one").ok());
  REQUIRE((*writer)->AppendPreImage(std::string(100, 'x')).ok());
  REQUIRE((*writer)->Flush().ok());
  REQUIRE((*writer)->AppendPreImage("row three").ok());
  REQUIRE((*writer)->Finish().ok());
}

// One frame of an archive: where it is, its type, and the index of the sealed chunk it is
// (for a clear frame: of the next sealed chunk).
struct FrameSpan {
  size_t begin = 0;
  size_t end = 0;
  FrameType type = FrameType::kSegmentStart;
  uint64_t chunk = 0;
};

inline size_t HeaderLength(const std::string& bytes) {
  size_t consumed = 0;
  REQUIRE(ParseHeader(bytes, &consumed).ok());
  return consumed;
}

inline std::vector<FrameSpan> MapFrames(const std::string& bytes) {
  std::vector<FrameSpan> frames;
  size_t at = HeaderLength(bytes);
  uint64_t chunk = 0;
  while (at < bytes.size()) {
    ByteReader r(std::string_view(bytes).substr(at));
    uint8_t type = 0;
    uint32_t length = 0;
    r.U8(&type);
    r.U32(&length);
    FrameSpan span{at, at + kFrameHeaderBytes + length, static_cast<FrameType>(type), chunk};
    if (span.type != FrameType::kSegmentStart && span.type != FrameType::kSummary) ++chunk;
    frames.push_back(span);
    at = span.end;
  }
  return frames;
}

// Reads the archive at `path` with `key`: the status of Open, or else of Read.
inline Status ReadArchive(const std::string& path, const KeyMaterial& key,
                          ReadOutcome* outcome = nullptr, BackupVisitor* visitor = nullptr) {
  auto reader = BackupReader::Open(path, key);
  if (!reader.ok()) return reader.status();
  ReadOutcome ignored;
  return (*reader)->Read(visitor, outcome != nullptr ? outcome : &ignored);
}

}  // namespace ferry::backup::testing
