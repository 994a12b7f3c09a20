#include "backup/read_back_reference.h"

namespace ferry::backup {

void ReadBackReference::PushChunk(std::string buffer, uint64_t size) {
  Item item;
  item.bytes = std::move(buffer);
  item.size = size;
  Push(std::move(item));
}

void ReadBackReference::PushEnd(uint64_t size, const Hash& hash) {
  Item item;
  item.end = true;
  item.size = size;
  item.hash = hash;
  Push(std::move(item));
}

void ReadBackReference::Push(Item item) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return abandoned_ || items_.size() < depth_; });
  if (abandoned_) return;
  items_.push_back(std::move(item));
  lock.unlock();
  changed_.notify_all();
}

void ReadBackReference::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool ReadBackReference::Next(Item* item) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return closed_ || !items_.empty(); });
  if (items_.empty()) return false;
  *item = std::move(items_.front());
  items_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return true;
}

void ReadBackReference::Abandon() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    abandoned_ = true;
    items_.clear();
  }
  changed_.notify_all();
}

void ReadBackReference::GiveBack(std::string buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.size() < depth_) spare_.push_back(std::move(buffer));
}

bool ReadBackReference::TakeBack(std::string* buffer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.empty()) return false;
  *buffer = std::move(spare_.front());
  spare_.pop_front();
  return true;
}

}  // namespace ferry::backup
