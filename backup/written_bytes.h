// WrittenBytes: how far an archive being written may be read back, shared by its writer and
// a reader verifying it on another thread while it grows (agent/run/sources_backup.cc): the
// read-back of chunk N overlaps the compression of N+1, and the run's backup costs the time
// of the slower of the two rather than their sum.
//
// Thread safety: Publish/Close from the writing thread, WaitFor from the reading one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace ferry::backup {

class WrittenBytes {
 public:
  // The first `total` bytes of the file are written (visible to another descriptor).
  void Publish(uint64_t total);
  // Nothing more will be published: a reader reads to the end of the file as it is.
  void Close();
  // Blocks until `want` bytes are published or Close was called.
  void WaitFor(uint64_t want) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  uint64_t published_ = 0;
  bool closed_ = false;
};

}  // namespace ferry::backup
