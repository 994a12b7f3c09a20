// SourceReadAhead: reads and hashes the source files of an archive on a thread of its own, a
// few chunks ahead of the writer that seals and writes them (backup_writer.cc), and has them
// compressed by two: a compressing thread of its own takes the first chunk in the queue that
// nobody compresses yet, and the writer's Next compresses the chunk it needs itself when the
// helper has not taken it. Chunks are independent (each its own zstd frame), the order is the
// queue's: the pipeline "read + BLAKE2b | compress x2 | seal + write" leaves the sources'
// backup bounded by its CPU over the machine's cores rather than by one thread's zstd
// (docs/benchmarks.md, "Ninth session: the sources' phase"). It runs across files, so that a
// folder of many small files (one chunk each) keeps every thread busy too. Memory: at most
// `depth` chunks in flight.
//
// Thread safety: Next, Recycle and RecyclePayload from one thread (the writer's); the reading
// and compressing threads are private, stopped and joined by the destructor.
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
#include "backup/chunk_codec.h"
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
    std::string payload;      // kData: the chunk's encoded payload (chunk_codec.h), its first
    size_t payload_size = 0;  // payload_size bytes (give the buffer back: RecyclePayload)
    std::string_view encoded() const { return std::string_view(payload.data(), payload_size); }
    Hash hash{};
    Status status;  // kError: why the file could not be read (the last item)
  };

  SourceReadAhead(std::vector<SourceFileToRead> files, uint32_t chunk_bytes, int zstd_level,
                  size_t depth = 8);
  ~SourceReadAhead();
  SourceReadAhead(const SourceReadAhead&) = delete;
  SourceReadAhead& operator=(const SourceReadAhead&) = delete;

  const std::vector<SourceFileToRead>& files() const { return files_; }

  // The next item in order: each file's kBegin, kData... (compressed), kEnd; false after the
  // last.
  bool Next(Item* item);
  // Hands a chunk's buffer back, so that the reader reuses its memory.
  void Recycle(std::string buffer);
  // Hands a payload's buffer back, for the next chunk compressed.
  void RecyclePayload(std::string buffer);

 private:
  // A queued item, and whether a thread compresses it (kData only).
  struct Slot {
    enum class State { kRaw, kCompressing, kCompressed };
    Item item;
    State state = State::kRaw;
  };
  void Run();
  void RunCompressor();
  Slot* FirstRawChunk();  // the first data chunk nobody compresses yet; REQUIRES: mu_ held
  // Compresses slot->item into its payload, with mu_ held by `lock` on entry and exit (it is
  // let go meanwhile); the slot stays in ready_ (a deque keeps its address) until then.
  void Compress(Slot* slot, ChunkCompressor* compressor, std::unique_lock<std::mutex>* lock);
  Status ReadFile(size_t index);
  bool Push(Item item);  // false when stopped
  std::string TakeBuffer();
  bool Stopped();

  const std::vector<SourceFileToRead> files_;
  const uint32_t chunk_bytes_;
  const size_t depth_;
  ChunkCompressor next_compressor_;    // Next's, on the writer's thread
  ChunkCompressor helper_compressor_;  // the compressing thread's
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Slot> ready_;
  std::vector<std::string> spare_;
  std::vector<std::string> spare_payloads_;
  bool done_ = false;     // the reader pushed its last item
  bool stopped_ = false;  // the consumer went away
  std::thread thread_;
  std::thread compressor_thread_;
};

}  // namespace ferry::backup
