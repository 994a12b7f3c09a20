// SourceReadAhead: reads and hashes the source files of an archive on a thread of its own, a
// few chunks ahead of the writer that compresses, seals and writes them (backup_writer.cc):
// the pipeline "read + BLAKE2b | compress + seal + write" puts the sources' backup on two
// cores. It runs across files, so that a folder of many small files (one chunk each) keeps
// both threads busy too. Memory: at most `depth` chunks in flight.
//
// Thread safety: Next and Recycle from one thread (the writer's); the reading thread is
// private, stopped and joined by the destructor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "backup/blake2b.h"
#include "base/status.h"

namespace ferry::backup {

struct SourceFileToRead {
  std::string path;  // read from here (never through a link)
  std::string origin;
  std::string name;
};

class SourceReadAhead {
 public:
  struct Item {
    enum class Kind { kBegin, kData, kEnd, kError };
    Kind kind = Kind::kBegin;
    size_t file = 0;    // index into the files given
    std::string bytes;  // kData: its first `size` bytes are the next chunk of the file (the
                        // buffer keeps its full length: give it back with Recycle)
    uint64_t size = 0;  // kEnd: the file's size and BLAKE2b-256
    std::string_view chunk() const { return std::string_view(bytes.data(), size); }
    Hash hash{};
    Status status;  // kError: why the file could not be read (the last item)
  };

  SourceReadAhead(std::vector<SourceFileToRead> files, uint32_t chunk_bytes, size_t depth = 8);
  ~SourceReadAhead();
  SourceReadAhead(const SourceReadAhead&) = delete;
  SourceReadAhead& operator=(const SourceReadAhead&) = delete;

  const std::vector<SourceFileToRead>& files() const { return files_; }

  // The next item in order: each file's kBegin, kData..., kEnd; false after the last.
  bool Next(Item* item);
  // Hands a chunk's buffer back, so that the reader reuses its memory.
  void Recycle(std::string buffer);

 private:
  void Run();
  Status ReadFile(size_t index);
  bool Push(Item item);  // false when stopped
  std::string TakeBuffer();
  bool Stopped();

  const std::vector<SourceFileToRead> files_;
  const uint32_t chunk_bytes_;
  const size_t depth_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Item> ready_;
  std::vector<std::string> spare_;
  bool done_ = false;     // the reader pushed its last item
  bool stopped_ = false;  // the consumer went away
  std::thread thread_;
};

}  // namespace ferry::backup
