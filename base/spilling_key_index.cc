#include "base/spilling_key_index.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "base/private_file.h"

namespace ferry {

namespace {

constexpr size_t kHeaderBytes = 4 + 4 + 8 + 4;  // key size, value size, rank, count
constexpr size_t kReadBlockBytes = 64 << 10;    // a run's read buffer
constexpr size_t kMinReadBlockBytes = 4 << 10;  // ... when the budget over the runs is less
constexpr size_t kWriteBlockBytes = 256 << 10;  // a spill is written this much at a time

struct Header {
  uint32_t key_size;
  uint32_t value_size;
  uint64_t rank;
  uint32_t count;
};

Header HeaderAt(const char* at) {
  Header header;
  std::memcpy(&header.key_size, at, 4);
  std::memcpy(&header.value_size, at + 4, 4);
  std::memcpy(&header.rank, at + 8, 8);
  std::memcpy(&header.count, at + 16, 4);
  return header;
}

void AppendKeyRecord(std::string* out, std::string_view key, uint64_t rank, uint32_t count,
                     std::string_view value) {
  uint32_t key_size = static_cast<uint32_t>(key.size());
  uint32_t value_size = static_cast<uint32_t>(value.size());
  char header[kHeaderBytes];
  std::memcpy(header, &key_size, 4);
  std::memcpy(header + 4, &value_size, 4);
  std::memcpy(header + 8, &rank, 8);
  std::memcpy(header + 16, &count, 4);
  out->append(header, kHeaderBytes);
  out->append(key);
  out->append(value);
}

Status KeyIndexSpillError(const char* what, int error, const std::string& folder) {
  return Status::IOError(fmt::format(
      "{} the temporary file of a key index too large to hold in memory in {}: {} (point TMPDIR "
      "at a folder with room)",
      what, folder, std::strerror(error)));
}

}  // namespace

// Reads the records of one run in order, a block at a time (or from memory: the records in
// `buffer`, with no file region).
class SpillingKeyIndex::Cursor {
 public:
  // A run in the file.
  Cursor(int fd, Run run, size_t read_block)
      : fd_(fd), next_(run.begin), end_(run.end), read_block_(read_block) {}
  // The records in memory: `arena`'s records at `winners`' offsets, in that order (not copied:
  // a copy would double the budget).
  Cursor(std::string arena, std::vector<std::pair<uint32_t, uint32_t>> winners)
      : fd_(-1), next_(0), end_(0), buffer_(std::move(arena)), winners_(std::move(winners)) {
    in_memory_ = true;
  }

  // Reads the first record. False at the end or on an error (status()).
  bool Start() { return in_memory_ ? LoadWinner() : Load(); }
  // Moves past the current record.
  bool Advance() {
    if (in_memory_) {
      ++winner_;
      return LoadWinner();
    }
    at_ += kHeaderBytes + header_.key_size + header_.value_size;
    return Load();
  }
  std::string_view key() const { return {buffer_.data() + at_ + kHeaderBytes, header_.key_size}; }
  std::string_view value() const {
    return {buffer_.data() + at_ + kHeaderBytes + header_.key_size, header_.value_size};
  }
  uint64_t rank() const { return header_.rank; }
  uint32_t count() const { return header_.count; }
  const Status& status() const { return status_; }

 private:
  // Makes buffer_[at_, at_ + n) hold file bytes, reading more when the run has them.
  bool Have(size_t n) {
    if (buffer_.size() - at_ >= n) return true;
    if (next_ >= end_) return false;
    buffer_.erase(0, at_);
    at_ = 0;
    size_t want = std::max(n - buffer_.size(), read_block_);
    want = static_cast<size_t>(std::min<uint64_t>(want, end_ - next_));
    size_t old = buffer_.size();
    buffer_.resize(old + want);
    size_t got = 0;
    while (got < want) {
      ssize_t r =
          ::pread(fd_, buffer_.data() + old + got, want - got, static_cast<off_t>(next_ + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        status_ =
            Status::IOError(fmt::format("could not read the temporary file of a key index: {}",
                                        r < 0 ? std::strerror(errno) : "it is shorter"));
        buffer_.resize(old);
        return false;
      }
      got += static_cast<size_t>(r);
    }
    next_ += want;
    return buffer_.size() - at_ >= n;
  }

  bool LoadWinner() {
    if (winner_ >= winners_.size()) return false;
    at_ = winners_[winner_].first;
    header_ = HeaderAt(buffer_.data() + at_);
    header_.count = winners_[winner_].second;
    return true;
  }

  bool Load() {
    if (!Have(kHeaderBytes)) return false;
    header_ = HeaderAt(buffer_.data() + at_);
    return Have(kHeaderBytes + header_.key_size + header_.value_size);
  }

  int fd_;
  uint64_t next_;  // the next file byte to read
  uint64_t end_;
  size_t read_block_ = kReadBlockBytes;
  std::string buffer_;
  size_t at_ = 0;  // the current record in buffer_
  bool in_memory_ = false;
  std::vector<std::pair<uint32_t, uint32_t>> winners_;
  size_t winner_ = 0;
  Header header_{};
  Status status_;
};

SpillingKeyIndex::SpillingKeyIndex(uint64_t memory_budget, std::string folder)
    : memory_budget_(memory_budget), folder_(std::move(folder)) {}

SpillingKeyIndex::~SpillingKeyIndex() {
  cursors_.clear();
  if (fd_ >= 0) ::close(fd_);
}

Status SpillingKeyIndex::Put(std::string_view key, uint64_t rank, std::string_view value) {
  if (arena_.capacity() == 0) {
    // Reserved once: grown by doubling, a 16 MiB budget would take 32 MiB of heap.
    arena_.reserve(static_cast<size_t>(std::min<uint64_t>(memory_budget_, 256 << 20)) + (64 << 10));
  }
  offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  AppendKeyRecord(&arena_, key, rank, 1, value);
  if (arena_.size() + offsets_.size() * sizeof(uint32_t) >= memory_budget_) {
    return SpillMemory();
  }
  return Status::OK();
}

std::vector<std::pair<uint32_t, uint32_t>> SpillingKeyIndex::SortedWinners() const {
  auto key_at = [this](uint32_t offset) {
    Header header = HeaderAt(arena_.data() + offset);
    return std::string_view(arena_.data() + offset + kHeaderBytes, header.key_size);
  };
  std::vector<uint32_t> order = offsets_;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return key_at(a) < key_at(b); });
  std::vector<std::pair<uint32_t, uint32_t>> winners;
  for (size_t i = 0; i < order.size();) {
    size_t best = i;
    size_t end = i + 1;
    for (; end < order.size() && key_at(order[end]) == key_at(order[i]); ++end) {
      // Put order within the key (stable sort): a later record wins a tie of ranks.
      if (HeaderAt(arena_.data() + order[end]).rank >= HeaderAt(arena_.data() + order[best]).rank) {
        best = end;
      }
    }
    uint32_t count = 0;
    for (size_t k = i; k < end; ++k) count += HeaderAt(arena_.data() + order[k]).count;
    winners.emplace_back(order[best], count);
    i = end;
  }
  return winners;
}

Status SpillingKeyIndex::OpenFile() {
  if (fd_ >= 0) return Status::OK();
  std::string folder;
  fd_ = OpenUnnamedFile(folder_, &folder);
  return fd_ >= 0 ? Status::OK() : KeyIndexSpillError("could not create", errno, folder);
}

Status SpillingKeyIndex::Write(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t put = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                           static_cast<off_t>(file_end_ + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) {
      return KeyIndexSpillError("could not write", put < 0 ? errno : ENOSPC,
                                folder_.empty() ? "$TMPDIR" : folder_);
    }
    done += static_cast<size_t>(put);
  }
  file_end_ += bytes.size();
  return Status::OK();
}

Status SpillingKeyIndex::SpillMemory() {
  if (offsets_.empty()) return Status::OK();
  FERRY_RETURN_IF_ERROR(OpenFile());
  Run run{file_end_, file_end_};
  // Written a block at a time: a copy of the whole run would double the budget.
  std::string block;
  for (auto [offset, count] : SortedWinners()) {
    Header header = HeaderAt(arena_.data() + offset);
    const char* key = arena_.data() + offset + kHeaderBytes;
    AppendKeyRecord(&block, std::string_view(key, header.key_size), header.rank, count,
                    std::string_view(key + header.key_size, header.value_size));
    if (block.size() >= kWriteBlockBytes) {
      FERRY_RETURN_IF_ERROR(Write(block));
      block.clear();
    }
  }
  FERRY_RETURN_IF_ERROR(Write(block));
  run.end = file_end_;
  runs_.push_back(run);
  arena_ = {};
  offsets_ = {};
  return Status::OK();
}

Status SpillingKeyIndex::Finish() {
  finished_ = true;
  // Buffers share the budget once there are many runs (at least 4 KiB each), so that thousands
  // of runs do not cost 64 KiB each.
  size_t read_block = kReadBlockBytes;
  if (!runs_.empty()) {
    read_block = static_cast<size_t>(
        std::clamp<uint64_t>(memory_budget_ / runs_.size(), kMinReadBlockBytes, kReadBlockBytes));
  }
  for (const Run& run : runs_) {
    cursors_.push_back(std::make_unique<Cursor>(fd_, run, read_block));
  }
  // The last records stay in memory, read in key order where they are.
  std::vector<std::pair<uint32_t, uint32_t>> winners = SortedWinners();
  offsets_ = {};
  cursors_.push_back(std::make_unique<Cursor>(std::move(arena_), std::move(winners)));
  arena_ = {};
  for (size_t i = 0; i < cursors_.size(); ++i) {
    if (cursors_[i]->Start()) {
      heap_.push_back(i);
    } else if (!cursors_[i]->status().ok()) {
      status_ = cursors_[i]->status();
      return status_;
    }
  }
  // Cursors keep their run order (older first, memory last): a tie of ranks goes to the newer.
  std::make_heap(heap_.begin(), heap_.end(),
                 [this](size_t a, size_t b) { return cursors_[a]->key() > cursors_[b]->key(); });
  Next();
  return status_;
}

void SpillingKeyIndex::Next() {
  // Pops every cursor at the smallest key: its winner is the highest rank, then the newest run
  // (the highest cursor number). A heap over the runs' heads: log(runs) a cursor moved, so that
  // thousands of runs cost what tens did.
  valid_ = false;
  if (!status_.ok() || heap_.empty()) return;
  auto later = [this](size_t a, size_t b) { return cursors_[a]->key() > cursors_[b]->key(); };
  std::pop_heap(heap_.begin(), heap_.end(), later);
  popped_.assign(1, heap_.back());
  heap_.pop_back();
  std::string_view smallest = cursors_[popped_[0]]->key();
  while (!heap_.empty() && cursors_[heap_.front()]->key() == smallest) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    popped_.push_back(heap_.back());
    heap_.pop_back();
  }
  size_t best = popped_[0];
  count_ = 0;
  for (size_t i : popped_) {
    const Cursor& cursor = *cursors_[i];
    if (cursor.rank() > cursors_[best]->rank() ||
        (cursor.rank() == cursors_[best]->rank() && i > best)) {
      best = i;
    }
    count_ += cursor.count();
  }
  key_.assign(cursors_[best]->key());
  rank_ = cursors_[best]->rank();
  value_.assign(cursors_[best]->value());
  valid_ = true;
  for (size_t i : popped_) {
    if (cursors_[i]->Advance()) {
      heap_.push_back(i);
      std::push_heap(heap_.begin(), heap_.end(), later);
    } else if (!cursors_[i]->status().ok()) {
      status_ = cursors_[i]->status();
      valid_ = false;
    }
  }
}

}  // namespace ferry
