// LogReader: the records of a file in LevelDB's log format (a .log write-ahead log or a
// MANIFEST), fragments joined and checksums verified (chromium_format.h, "log format").
//
// Damage is reported with the file and byte offset, and reading goes on at the next 32 KiB
// block, as LevelDB's own reader does. Unlike LevelDB, which passes over them in silence, a
// torn tail (the file ends inside a record) and zeroed space are reported too: they are
// where a killed browser loses data.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "extractors/chromium/file_handle.h"
#include "extractors/extractor.h"

namespace ferry::chromium {

// Where one fragment of a record lies: its payload's bytes of the record, and in the file.
struct RecordFragment {
  uint64_t record_pos = 0;   // offset of the payload within the joined record
  uint64_t file_offset = 0;  // offset of the payload in the file (past the fragment's header)
  uint64_t size = 0;
};

class LogReader {
 public:
  // Reads `file`; damage goes to `reporter`.
  LogReader(FileHandle file, CorruptionReporter reporter);

  // Fills *record with the next whole record and *offset with the file offset of its first
  // fragment's header. Returns false at the end of the file or on a read failure (status()).
  bool ReadRecord(std::string* record, uint64_t* offset);

  // Ok unless reading the file failed (damage is reported, not a failure).
  const Status& status() const { return status_; }

  // The fragments of the record ReadRecord() last returned, in order: where each of its bytes
  // is in the file, so that a part of it can be read again without the rest.
  const std::vector<RecordFragment>& last_record_fragments() const { return last_fragments_; }

  const FileHandle& file() const { return file_; }

 private:
  // Loads the next block into block_; false at the end of the file.
  bool ReadNextBlock();
  // Reports the bytes from `offset` to `end` as lost because of `why`.
  void ReportDropped(uint64_t offset, uint64_t end, const std::string& why);
  // Reports damage from `from` to `end`, with the partial record it cuts short, if any.
  void DropThrough(uint64_t from, uint64_t end, const std::string& why);
  // Drops a record whose fragments began at fragment_offset_, saying why.
  void DropPartialRecord(const std::string& why);
  // Reports a pending run of zeroed bytes that ends at `end`.
  void FlushZeroRun(uint64_t end);
  // Handles what is left of the last block at the end of the file.
  void FinishAtEnd();

  FileHandle file_;
  CorruptionReporter reporter_;
  Status status_;
  std::string block_;             // the current block
  uint64_t block_offset_ = 0;     // its offset in the file
  size_t pos_ = 0;                // the next unread byte of block_
  bool started_ = false;          // a block was read
  bool finished_ = false;         // the end of the file was reached and handled
  bool in_record_ = false;        // fragments of a record are in scratch_
  uint64_t fragment_offset_ = 0;  // offset of the first fragment of scratch_
  std::string scratch_;
  int64_t zero_run_start_ = -1;            // start of zeroed space not yet reported, or -1
  std::vector<RecordFragment> fragments_;  // of scratch_
  std::vector<RecordFragment> last_fragments_;
};

}  // namespace ferry::chromium
