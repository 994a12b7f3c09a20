// A leveldb::RandomAccessFile over a FileHandle that remembers the reads made through it
// since they were last taken, so that a table's blocks can be named by offset. Reads past the
// end of the file fail instead of returning short. Once CheckBlocks() is called, each read is
// a block with its 5-byte trailer and fails Corruption "block checksum mismatch", as LevelDB's
// own check does, when the trailer's CRC32C is not the block's: the same check with the CPU's
// crc32 instruction (crc32c.h), where Debian's LevelDB has a table-driven loop.
//
// Thread safety: one thread at a time (the record of reads is not locked).
#pragma once

#include <leveldb/env.h>

#include <cstdint>
#include <vector>

#include "extractors/chromium/file_handle.h"

namespace ferry::chromium {

struct FileRead {
  uint64_t offset = 0;
  size_t size = 0;
};

class RecordingFile final : public leveldb::RandomAccessFile {
 public:
  explicit RecordingFile(FileHandle file) : file_(std::move(file)) {}

  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override;

  // The reads since the last call, oldest first.
  std::vector<FileRead> TakeReads();

  // From now on every read is a block and its trailer, checked as above.
  void CheckBlocks() { check_blocks_ = true; }

  const FileHandle& file() const { return file_; }

 private:
  FileHandle file_;
  mutable std::vector<FileRead> reads_;
  bool check_blocks_ = false;
};

}  // namespace ferry::chromium
