// ReadBackReference: what the writer of an archive put into its source chunks, handed to the
// reader that verifies it on another thread while it is written (agent/run/sources_backup.cc).
// Each chunk read back is decompressed and compared byte for byte with the bytes the writer
// hashed, and each file's end record with the size and BLAKE2b-256 the writer computed: the
// same proof as hashing the read-back bytes again (they equal the hashed bytes, whose hash the
// records and the manifest hold), for a memcmp in place of a second BLAKE2b of the sources.
// Memory: at most `depth` chunks wait for the reader; the writer waits beyond that.
//
// Thread safety: the Push* calls and Close from the writer's thread, Next and Abandon from the
// reader's.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "backup/blake2b.h"

namespace ferry::backup {

class ReadBackReference {
 public:
  struct Item {
    bool end = false;   // false: the next chunk of the current file, in `bytes`
    std::string bytes;  // a chunk's raw bytes: the first `size` (a buffer reused whole)
    uint64_t size = 0;  // end: the file's size and checksum as the writer computed them
    Hash hash{};
  };

  explicit ReadBackReference(size_t depth = 16) : depth_(depth) {}

  // After the chunk's frame is written: its raw bytes, the first `size` of `buffer`.
  void PushChunk(std::string buffer, uint64_t size);
  // After a file's end record is written.
  void PushEnd(uint64_t size, const Hash& hash);
  // The writer is done (or failed): Next returns false once the queue is empty.
  void Close();

  // The next item in the writer's order; false when there is none and will be none.
  bool Next(Item* item);
  // The reader stopped (an error): the writer's pushes no longer wait or keep anything.
  void Abandon();

  // A chunk's buffer the reader is done with, and the writer takes back for the next chunk
  // read (no allocation, zeroing and page faults of a fresh megabyte per chunk).
  void GiveBack(std::string buffer);
  bool TakeBack(std::string* buffer);

 private:
  void Push(Item item);

  const size_t depth_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Item> items_;
  std::deque<std::string> spare_;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace ferry::backup
