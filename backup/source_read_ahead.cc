#include "backup/source_read_ahead.h"

#include <fcntl.h>
#include <unistd.h>

#include "backup/file_io.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

SourceReadAhead::SourceReadAhead(std::vector<SourceFileToRead> files, uint32_t chunk_bytes,
                                 size_t depth)
    : files_(std::move(files)), chunk_bytes_(chunk_bytes), depth_(depth) {
  thread_ = std::thread([this] { Run(); });
}

SourceReadAhead::~SourceReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool SourceReadAhead::Next(Item* item) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !ready_.empty() || done_; });
  if (ready_.empty()) return false;
  *item = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SourceReadAhead::Recycle(std::string buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.size() < 4 * depth_) spare_.push_back(std::move(buffer));
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
  ready_.push_back(std::move(item));
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
