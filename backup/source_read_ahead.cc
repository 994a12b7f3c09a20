#include "backup/source_read_ahead.h"

#include <fcntl.h>
#include <unistd.h>

#include "backup/file_io.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

SourceReadAhead::SourceReadAhead(std::vector<SourceFileToRead> files, uint32_t chunk_bytes,
                                 int zstd_level, size_t depth)
    : files_(std::move(files)),
      chunk_bytes_(chunk_bytes),
      depth_(depth),
      next_compressor_(zstd_level),
      helper_compressor_(zstd_level) {
  thread_ = std::thread([this] { Run(); });
  compressor_thread_ = std::thread([this] { RunCompressor(); });
}

SourceReadAhead::~SourceReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
  thread_.join();
  compressor_thread_.join();
}

bool SourceReadAhead::Next(Item* item) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !ready_.empty() || done_; });
  if (ready_.empty()) return false;
  // Only this thread pops: the front stays put while the lock is let go below.
  Slot* front = &ready_.front();
  while (true) {
    if (front->item.kind == Item::Kind::kData && front->state == Slot::State::kRaw) {
      Compress(front, &next_compressor_, &lock);  // the helper has not taken it
      break;
    }
    if (front->state != Slot::State::kCompressing) break;
    // The helper compresses the front: compress a chunk further on meanwhile (the helper's
    // next), rather than wait, so that both compressors work while the writer waits.
    if (Slot* ahead = FirstRawChunk()) {
      Compress(ahead, &next_compressor_, &lock);
    } else {
      changed_.wait(lock, [&] {
        return front->state != Slot::State::kCompressing || FirstRawChunk() != nullptr;
      });
    }
  }
  *item = std::move(front->item);
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SourceReadAhead::Compress(Slot* slot, ChunkCompressor* compressor,
                               std::unique_lock<std::mutex>* lock) {
  slot->state = Slot::State::kCompressing;
  std::string payload;
  if (!spare_payloads_.empty()) {
    payload = std::move(spare_payloads_.back());
    spare_payloads_.pop_back();
  }
  lock->unlock();
  // Nobody else touches a slot being compressed: the reader only appends to ready_, Next
  // waits for the state to change.
  size_t size = compressor->EncodeInto(slot->item.chunk(), &payload).size();
  lock->lock();
  slot->item.payload = std::move(payload);
  slot->item.payload_size = size;
  slot->state = Slot::State::kCompressed;
  changed_.notify_all();
}

SourceReadAhead::Slot* SourceReadAhead::FirstRawChunk() {
  for (Slot& slot : ready_) {
    if (slot.item.kind == Item::Kind::kData && slot.state == Slot::State::kRaw) return &slot;
  }
  return nullptr;
}

void SourceReadAhead::RunCompressor() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    Slot* todo = nullptr;
    changed_.wait(lock, [&] {
      if (stopped_) return true;
      todo = FirstRawChunk();
      return todo != nullptr || done_;  // done_: nothing left to compress, nor will come
    });
    if (stopped_ || todo == nullptr) return;
    Compress(todo, &helper_compressor_, &lock);
  }
}

void SourceReadAhead::Recycle(std::string buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.size() < 4 * depth_) spare_.push_back(std::move(buffer));
}

void SourceReadAhead::RecyclePayload(std::string buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_payloads_.size() < depth_) spare_payloads_.push_back(std::move(buffer));
}

bool SourceReadAhead::Stopped() {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

std::string SourceReadAhead::TakeBuffer() {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.empty()) return std::string();
  std::string buffer = std::move(spare_.back());
  spare_.pop_back();
  return buffer;
}

bool SourceReadAhead::Push(Item item) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return stopped_ || ready_.size() < depth_; });
  if (stopped_) return false;
  ready_.push_back(Slot{std::move(item)});
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SourceReadAhead::Run() {
  for (size_t i = 0; i < files_.size(); ++i) {
    Status status = ReadFile(i);
    if (Stopped()) break;  // nobody reads what follows
    if (!status.ok()) {
      Item error;
      error.kind = Item::Kind::kError;
      error.file = i;
      error.status = status;
      Push(std::move(error));
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  changed_.notify_all();
}

Status SourceReadAhead::ReadFile(size_t index) {
  const std::string& path = files_[index].path;
  ScopedFd in(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (in.get() < 0) {
    return ErrnoStatus(path);
  }
  const Status stopped = Status::Internal("the archive's writer stopped reading");
  Item begin;
  begin.file = index;
  if (!Push(std::move(begin))) return stopped;
  Blake2b hash;
  uint64_t size = 0;
  while (true) {
    std::string buffer = TakeBuffer();
    std::string_view raw;
    FERRY_RETURN_IF_ERROR(ReadInto(in.get(), chunk_bytes_, &buffer, &raw, path));
    if (raw.empty()) {
      Recycle(std::move(buffer));  // the end of the file: the next file's first chunk
      break;
    }
    hash.Update(raw);
    size += raw.size();
    Item data;
    data.kind = Item::Kind::kData;
    data.file = index;
    data.size = raw.size();  // the buffer is not shrunk: growing it again would zero it
    data.bytes = std::move(buffer);
    if (!Push(std::move(data))) return stopped;
  }
  Item end;
  end.kind = Item::Kind::kEnd;
  end.file = index;
  end.size = size;
  end.hash = hash.Peek();
  return Push(std::move(end)) ? Status::OK() : stopped;
}

}  // namespace ferry::backup
