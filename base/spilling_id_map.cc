#include "base/spilling_id_map.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>

namespace ferry {

namespace {

// A tombstone: the id was erased after a run took it. No record index is this small.
constexpr int64_t kErased = INT64_MIN;
// What an id costs in the hash map beside its bytes: the node, its hash and the bucket.
constexpr uint64_t kEntryOverhead = 64;
constexpr size_t kBlockBytes = 16 << 10;
constexpr size_t kFilterBits = size_t{16} << 23;  // 16 MiB
constexpr int kFilterHashes = 6;

// A run's record: u32 id size, the id, i64 value. The file is read only by this process.
void AppendRecord(std::string* out, std::string_view id, int64_t value) {
  uint32_t size = static_cast<uint32_t>(id.size());
  out->append(reinterpret_cast<const char*>(&size), 4);
  out->append(id);
  out->append(reinterpret_cast<const char*>(&value), 8);
}

Status SpillError(const char* what, int error, const std::string& folder) {
  return Status::IOError(fmt::format(
      "{} the temporary file of a set of ids too large to hold in memory in {}: {} (point TMPDIR "
      "at a folder with room)",
      what, folder, std::strerror(error)));
}

std::string TempFolder() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

uint64_t IdHash(std::string_view id) {
  uint64_t hash = std::hash<std::string_view>{}(id);
  // Spread the bits (splitmix64's finalizer): the filter uses both halves.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

// Reads a run's records in order, a buffer at a time (a record may be longer than a buffer).
class RunReader {
 public:
  RunReader(int fd, uint64_t begin, uint64_t end) : fd_(fd), offset_(begin), end_(end) {}

  // Moves to the next record: false past the last. id() stays valid until the next call.
  Result<bool> Next() {
    buffer_.erase(0, used_);
    used_ = 0;
    FERRY_ASSIGN_OR_RETURN(bool whole, Have(4));
    if (!whole) return false;
    uint32_t size = 0;
    std::memcpy(&size, buffer_.data(), 4);
    FERRY_ASSIGN_OR_RETURN(whole, Have(12 + static_cast<size_t>(size)));
    if (!whole) return SpillError("could not read back", EIO, TempFolder());  // cut short
    id_ = std::string_view(buffer_).substr(4, size);
    std::memcpy(&value_, buffer_.data() + 4 + size, 8);
    used_ = 12 + static_cast<size_t>(size);
    return true;
  }

  std::string_view id() const { return id_; }
  int64_t value() const { return value_; }

 private:
  // Reads until the buffer holds `bytes`; false when the run ends first.
  Result<bool> Have(size_t bytes) {
    while (buffer_.size() < bytes && offset_ < end_) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(end_ - offset_, kReadBytes));
      size_t at = buffer_.size();
      buffer_.resize(at + want);
      ssize_t got = ::pread(fd_, buffer_.data() + at, want, static_cast<off_t>(offset_));
      if (got < 0 && errno == EINTR) {
        buffer_.resize(at);
        continue;
      }
      if (got <= 0) return SpillError("could not read back", got < 0 ? errno : EIO, TempFolder());
      buffer_.resize(at + static_cast<size_t>(got));
      offset_ += static_cast<uint64_t>(got);
    }
    return buffer_.size() >= bytes;
  }

  static constexpr size_t kReadBytes = 64 << 10;
  int fd_;
  uint64_t offset_;
  uint64_t end_;
  std::string buffer_;
  size_t used_ = 0;  // the bytes of the current record, dropped by the next call
  std::string_view id_;
  int64_t value_ = 0;
};

}  // namespace

SpillingIdMap::SpillingIdMap(uint64_t memory_budget) : memory_budget_(memory_budget) {}

SpillingIdMap::~SpillingIdMap() {
  if (fd_ >= 0) ::close(fd_);
}

bool SpillingIdMap::MayHold(std::string_view id) const {
  if (filter_.empty()) return false;
  uint64_t hash = IdHash(id);
  uint64_t step = (hash >> 32) | 1;
  for (int i = 0; i < kFilterHashes; ++i) {
    uint64_t bit = (hash + static_cast<uint64_t>(i) * step) % kFilterBits;
    if ((filter_[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

void SpillingIdMap::AddToFilter(std::string_view id) {
  uint64_t hash = IdHash(id);
  uint64_t step = (hash >> 32) | 1;
  for (int i = 0; i < kFilterHashes; ++i) {
    uint64_t bit = (hash + static_cast<uint64_t>(i) * step) % kFilterBits;
    filter_[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

Result<std::optional<int64_t>> SpillingIdMap::Find(std::string_view id) const {
  auto found = memory_.find(std::string(id));
  if (found != memory_.end()) {
    if (found->second == kErased) return std::optional<int64_t>();
    return std::optional<int64_t>(found->second);
  }
  if (!MayHold(id)) return std::optional<int64_t>();
  for (auto run = runs_.rbegin(); run != runs_.rend(); ++run) {
    FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> value, FindInRun(*run, id));
    if (!value) continue;
    if (*value == kErased) return std::optional<int64_t>();
    return value;
  }
  return std::optional<int64_t>();
}

Result<std::optional<int64_t>> SpillingIdMap::FindInRun(const Run& run, std::string_view id) const {
  // The last block whose first id is not past `id`.
  auto after =
      std::upper_bound(run.blocks.begin(), run.blocks.end(), id,
                       [](std::string_view key, const std::pair<std::string, uint64_t>& block) {
                         return key < std::string_view(block.first);
                       });
  if (after == run.blocks.begin()) return std::optional<int64_t>();
  uint64_t begin = std::prev(after)->second;
  uint64_t end = after == run.blocks.end() ? run.end : after->second;
  block_.resize(static_cast<size_t>(end - begin));
  size_t done = 0;
  while (done < block_.size()) {
    ssize_t got =
        ::pread(fd_, block_.data() + done, block_.size() - done, static_cast<off_t>(begin + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return SpillError("could not read back", got < 0 ? errno : EIO, TempFolder());
    done += static_cast<size_t>(got);
  }
  std::string_view rest = block_;
  while (rest.size() >= 12) {
    uint32_t size = 0;
    std::memcpy(&size, rest.data(), 4);
    if (rest.size() < 12 + static_cast<size_t>(size)) break;
    std::string_view key = rest.substr(4, size);
    if (key == id) {
      int64_t value = 0;
      std::memcpy(&value, rest.data() + 4 + size, 8);
      return std::optional<int64_t>(value);
    }
    if (key > id) break;  // sorted
    rest.remove_prefix(12 + static_cast<size_t>(size));
  }
  return std::optional<int64_t>();
}

Status SpillingIdMap::Insert(std::string_view id, int64_t value) {
  auto [it, fresh] = memory_.try_emplace(std::string(id), value);
  if (!fresh) {
    it->second = value;  // over a tombstone
  } else {
    memory_bytes_ += id.size() + kEntryOverhead;
  }
  return memory_bytes_ > memory_budget_ ? Spill() : Status::OK();
}

Status SpillingIdMap::Erase(std::string_view id) {
  if (runs_.empty()) {
    auto found = memory_.find(std::string(id));
    if (found != memory_.end()) {
      memory_bytes_ -= found->first.size() + kEntryOverhead;
      memory_.erase(found);
    }
    return Status::OK();
  }
  // A run may hold the id: a tombstone shadows it.
  FERRY_ASSIGN_OR_RETURN(std::optional<int64_t> held, Find(id));
  if (!held) return Status::OK();
  return Insert(id, kErased);
}

Status SpillingIdMap::Spill() {
  if (fd_ < 0) {
    std::string folder = TempFolder();
    fd_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      if (errno != EOPNOTSUPP && errno != EISDIR) {
        return SpillError("could not create", errno, folder);
      }
      std::string name = folder + "/ferry-ids-XXXXXX";  // no O_TMPFILE: a name unlinked at once
      fd_ = ::mkostemp(name.data(), O_CLOEXEC);
      if (fd_ < 0) return SpillError("could not create", errno, folder);
      ::unlink(name.c_str());
    }
    filter_.assign(kFilterBits / 64, 0);
  }
  std::vector<const std::pair<const std::string, int64_t>*> sorted;
  sorted.reserve(memory_.size());
  for (const auto& entry : memory_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  Run run;
  run.begin = file_end_;
  std::string block;
  for (const auto* entry : sorted) {
    FERRY_RETURN_IF_ERROR(AppendToRun(&run, &block, entry->first, entry->second));
    AddToFilter(entry->first);
  }
  if (!block.empty()) FERRY_RETURN_IF_ERROR(WriteBlock(&block));
  run.end = file_end_;
  runs_.push_back(std::move(run));
  ++spills_;
  std::unordered_map<std::string, int64_t>().swap(memory_);
  memory_bytes_ = 0;
  while (runs_.size() >= 2 && runs_[runs_.size() - 2].level == runs_.back().level) {
    FERRY_RETURN_IF_ERROR(MergeNewestRuns());
  }
  return Status::OK();
}

Status SpillingIdMap::WriteBlock(std::string* block) {
  size_t done = 0;
  while (done < block->size()) {
    ssize_t put = ::pwrite(fd_, block->data() + done, block->size() - done,
                           static_cast<off_t>(file_end_ + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return SpillError("could not write", put < 0 ? errno : ENOSPC, TempFolder());
    done += static_cast<size_t>(put);
  }
  file_end_ += block->size();
  block->clear();
  return Status::OK();
}

Status SpillingIdMap::AppendToRun(Run* run, std::string* block, std::string_view id,
                                  int64_t value) {
  if (block->empty()) run->blocks.emplace_back(std::string(id), file_end_);
  AppendRecord(block, id, value);
  return block->size() >= kBlockBytes ? WriteBlock(block) : Status::OK();
}

Status SpillingIdMap::MergeNewestRuns() {
  Run& older = runs_[runs_.size() - 2];
  Run& newer = runs_.back();
  // A tombstone shadows an older run's id; with no older run left it shadows nothing.
  bool nothing_older = runs_.size() == 2;
  RunReader a(fd_, older.begin, older.end);
  RunReader b(fd_, newer.begin, newer.end);
  FERRY_ASSIGN_OR_RETURN(bool has_a, a.Next());
  FERRY_ASSIGN_OR_RETURN(bool has_b, b.Next());
  Run merged;
  merged.begin = file_end_;
  merged.level = older.level + 1;
  std::string block;
  while (has_a || has_b) {
    int order = !has_a ? 1 : !has_b ? -1 : a.id().compare(b.id());
    const RunReader& from = order < 0 ? a : b;  // the newer run wins a tie
    if (!(nothing_older && from.value() == kErased)) {
      FERRY_RETURN_IF_ERROR(AppendToRun(&merged, &block, from.id(), from.value()));
    }
    if (order <= 0) {
      FERRY_ASSIGN_OR_RETURN(has_a, a.Next());
    }
    if (order >= 0) {
      FERRY_ASSIGN_OR_RETURN(has_b, b.Next());
    }
  }
  if (!block.empty()) FERRY_RETURN_IF_ERROR(WriteBlock(&block));
  merged.end = file_end_;
  // The merged runs' bytes are dead: give them back where the file system can (a failure
  // only keeps them).
  for (const Run* dead : {&older, &newer}) {
    if (dead->end > dead->begin) {
      ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(dead->begin),
                  static_cast<off_t>(dead->end - dead->begin));
    }
  }
  runs_.pop_back();
  runs_.back() = std::move(merged);
  return Status::OK();
}

}  // namespace ferry
