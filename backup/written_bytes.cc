#include "backup/written_bytes.h"

namespace ferry::backup {

void WrittenBytes::Publish(uint64_t total) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (total <= published_) return;
    published_ = total;
  }
  changed_.notify_all();
}

void WrittenBytes::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

void WrittenBytes::WaitFor(uint64_t want) const {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return closed_ || published_ >= want; });
}

}  // namespace ferry::backup
