// HeldRecordFile: the records an entity that references itself holds back for its second pass
// (entity_pass_deferred.cc), once they pass a memory budget: written in order to an unnamed
// 0600 temporary file (base/private_file.h: no name another user could open, gone with the
// process however it ends) and read back in order, a buffer at a time, so that what a unit
// holds back does not grow memory with it (issue 15 item 8).
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/location.h"
#include "base/result.h"
#include "base/status.h"
#include "extractors/entry.h"

namespace ferry {

// A record held for the second pass, with the entry it came from (its value left out).
struct HeldRecord {
  std::string json;
  std::string legacy_id;
  std::vector<std::string> parents;  // the legacy ids its own-entity references name
  int64_t time_ms = -1;
  Location where;
  Entry header;
  std::string key_suffix;
};

class HeldRecordFile {
 public:
  HeldRecordFile() = default;
  ~HeldRecordFile();
  HeldRecordFile(const HeldRecordFile&) = delete;
  HeldRecordFile& operator=(const HeldRecordFile&) = delete;

  // Appends `record`. Fails IOError (naming TMPDIR) when the file cannot be created or written.
  Status Add(const HeldRecord& record);
  size_t size() const { return count_; }

  // Reads from the first record again.
  void Rewind() { read_offset_ = 0, buffer_.clear(), buffer_at_ = 0; }
  // The next record into *record; false after the last. Fails IOError when the file cannot be
  // read back.
  Result<bool> Next(HeldRecord* record);

  // Forgets every record (the file is emptied, not closed).
  Status Clear();

 private:
  Status WriteOut();  // the write buffer to the file
  // `size` bytes from the read position into *out.
  Status ReadBytes(size_t size, std::string* out);

  int fd_ = -1;
  uint64_t file_end_ = 0;
  std::string write_buffer_;
  size_t count_ = 0;
  uint64_t read_offset_ = 0;  // file offset of buffer_'s end
  std::string buffer_;        // read ahead
  size_t buffer_at_ = 0;      // first unread byte of buffer_
};

}  // namespace ferry
