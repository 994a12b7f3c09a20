#include "agent/run/unit_entries.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ferry {

namespace {

constexpr size_t kIoBlock = 256 << 10;

// One spilled entry at its offset: u64 header length, the header (every field but the value:
// strings as u64 length and bytes, integers as 8 bytes), u64 value length, the value. The file
// lives as long as the process and is read only by it: native byte order.
void PutInt(std::string* out, int64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }

void PutString(std::string* out, const std::string& s) {
  PutInt(out, static_cast<int64_t>(s.size()));
  out->append(s);
}

class HeaderReader {
 public:
  explicit HeaderReader(std::string_view in) : in_(in) {}
  bool Int(int64_t* v) {
    if (in_.size() < 8) return false;
    std::memcpy(v, in_.data(), 8);
    in_.remove_prefix(8);
    return true;
  }
  bool String(std::string* s) {
    int64_t n = 0;
    if (!Int(&n) || n < 0 || static_cast<uint64_t>(n) > in_.size()) return false;
    s->assign(in_.substr(0, static_cast<size_t>(n)));
    in_.remove_prefix(static_cast<size_t>(n));
    return true;
  }

 private:
  std::string_view in_;
};

std::string Header(const Entry& e) {
  std::string out;
  for (const std::string* s :
       {&e.unit, &e.user_hint, &e.origin, &e.key, &e.where.file, &e.where.origin, &e.where.key,
        &e.where.pointer, &e.exact_origin_json, &e.exact_key_json, &e.exact_value_json,
        &e.lossy_detail}) {
    PutString(&out, *s);
  }
  for (int64_t v : {e.where.offset, e.where.line, e.where.column, e.where.index, e.overridden,
                    static_cast<int64_t>(e.shape), static_cast<int64_t>(e.lossy)}) {
    PutInt(&out, v);
  }
  return out;
}

bool ParseHeader(std::string_view header, Entry* e) {
  HeaderReader in(header);
  for (std::string* s : {&e->unit, &e->user_hint, &e->origin, &e->key, &e->where.file,
                         &e->where.origin, &e->where.key, &e->where.pointer, &e->exact_origin_json,
                         &e->exact_key_json, &e->exact_value_json, &e->lossy_detail}) {
    if (!in.String(s)) return false;
  }
  int64_t shape = 0, lossy = 0;
  for (int64_t* v : {&e->where.offset, &e->where.line, &e->where.column, &e->where.index,
                     &e->overridden, &shape, &lossy}) {
    if (!in.Int(v)) return false;
  }
  e->shape = static_cast<EntryShape>(shape);
  e->lossy = lossy != 0;
  return true;
}

Status SpillError(const char* what, int error, const std::string& folder = "") {
  return Status::IOError(fmt::format(
      "{} the temporary file of a unit too large to hold in memory{}: {} (point TMPDIR at a "
      "folder with room)",
      what, folder.empty() ? "" : " in " + folder, std::strerror(error)));
}

Status WriteAt(int fd, const char* data, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t put = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return SpillError("could not write", put < 0 ? errno : ENOSPC);
    data += put;
    size -= static_cast<size_t>(put);
    offset += static_cast<uint64_t>(put);
  }
  return Status::OK();
}

Status ReadAt(int fd, char* data, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t got = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return SpillError("could not read back", got < 0 ? errno : EIO);
    data += got;
    size -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return Status::OK();
}

// An unnamed 0600 file under $TMPDIR (or /tmp); where O_TMPFILE is not supported, a named one
// unlinked at once.
Result<int> OpenSpillFile() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  int fd = ::open(base.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string name = base + "/ferry-unit-XXXXXX";
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return SpillError("could not create", errno, base);
  ::unlink(name.c_str());
  return fd;
}

}  // namespace

uint64_t EntryMemoryBytes(const Entry& e) {
  uint64_t bytes = sizeof(Entry);
  for (const std::string* s :
       {&e.unit, &e.user_hint, &e.origin, &e.key, &e.value, &e.where.file, &e.where.origin,
        &e.where.key, &e.where.pointer, &e.exact_origin_json, &e.exact_key_json,
        &e.exact_value_json, &e.lossy_detail}) {
    if (s->size() > 15) bytes += s->size() + 1;  // past the small-string buffer: on the heap
  }
  return bytes;
}

UnitEntries::UnitEntries(std::vector<Entry> entries)
    : memory_budget_(UINT64_MAX), memory_(std::move(entries)) {
  if (!memory_.empty()) {
    unit_ = memory_.front().unit;
    user_hint_ = memory_.front().user_hint;
  }
  for (const Entry& e : memory_) {
    memory_bytes_ += EntryMemoryBytes(e);
    value_bytes_ += e.value.size();
  }
}

Status UnitEntries::Add(const Entry& entry) {
  if (empty()) {
    unit_ = entry.unit;
    user_hint_ = entry.user_hint;
  }
  value_bytes_ += entry.value.size();
  uint64_t bytes = EntryMemoryBytes(entry);
  // Once one entry has gone to the file, every later one does: indexes stay in order.
  if (spilled_ == 0 && memory_bytes_ + bytes <= memory_budget_) {
    memory_bytes_ += bytes;
    memory_.push_back(entry);
    return Status::OK();
  }
  if (file_.get() < 0) {
    FERRY_ASSIGN_OR_RETURN(int fd, OpenSpillFile());
    file_.Reset(fd);
  }
  std::string header = Header(entry);
  uint64_t header_size = header.size(), value_size = entry.value.size();
  // header length, header, value length, value
  uint64_t at = file_end_;
  FERRY_RETURN_IF_ERROR(Append(reinterpret_cast<const char*>(&header_size), 8));
  FERRY_RETURN_IF_ERROR(Append(header.data(), header.size()));
  FERRY_RETURN_IF_ERROR(Append(reinterpret_cast<const char*>(&value_size), 8));
  FERRY_RETURN_IF_ERROR(Append(entry.value.data(), entry.value.size()));
  if (spilled_ % kSpillStride == 0) strides_.push_back(at);
  ++spilled_;
  return Status::OK();
}

Status UnitEntries::FlushWrites() const {
  if (write_buffer_.empty()) return Status::OK();
  uint64_t at = file_end_ - write_buffer_.size();
  FERRY_RETURN_IF_ERROR(WriteAt(file_.get(), write_buffer_.data(), write_buffer_.size(), at));
  write_buffer_.clear();
  return Status::OK();
}

Status UnitEntries::Append(const char* data, size_t size) {
  if (size >= kIoBlock) {  // a large value goes straight to the file
    FERRY_RETURN_IF_ERROR(FlushWrites());
    FERRY_RETURN_IF_ERROR(WriteAt(file_.get(), data, size, file_end_));
  } else {
    write_buffer_.append(data, size);
    if (write_buffer_.size() >= kIoBlock) {
      file_end_ += size;
      return FlushWrites();
    }
  }
  file_end_ += size;
  return Status::OK();
}

Status UnitEntries::Read(char* data, size_t size, uint64_t offset) const {
  FERRY_RETURN_IF_ERROR(FlushWrites());
  if (size >= kIoBlock) return ReadAt(file_.get(), data, size, offset);
  if (offset < read_buffer_at_ || offset + size > read_buffer_at_ + read_buffer_.size()) {
    read_buffer_.resize(static_cast<size_t>(std::min<uint64_t>(kIoBlock, file_end_ - offset)));
    if (read_buffer_.size() < size) return SpillError("could not read back", EIO);
    FERRY_RETURN_IF_ERROR(ReadAt(file_.get(), read_buffer_.data(), read_buffer_.size(), offset));
    read_buffer_at_ = offset;
  }
  std::memcpy(data, read_buffer_.data() + (offset - read_buffer_at_), size);
  return Status::OK();
}

Result<uint64_t> UnitEntries::SpilledOffset(size_t j) const {
  if (cursor_index_ > 0 && j == cursor_index_ - 1) return last_offset_;
  size_t index = j - j % kSpillStride;
  uint64_t at = strides_[j / kSpillStride];
  if (cursor_index_ <= j && cursor_index_ >= index && cursor_index_ < spilled_) {
    index = cursor_index_;
    at = cursor_offset_;
  }
  for (; index < j; ++index) {  // past each entry by its two lengths
    uint64_t header_size = 0, value_size = 0;
    FERRY_RETURN_IF_ERROR(Read(reinterpret_cast<char*>(&header_size), 8, at));
    FERRY_RETURN_IF_ERROR(Read(reinterpret_cast<char*>(&value_size), 8, at + 8 + header_size));
    at += 16 + header_size + value_size;
    if (at > file_end_) {
      return Status::Internal("the temporary file of a unit does not read back as written");
    }
  }
  return at;
}

Result<const Entry*> UnitEntries::Get(size_t i, Entry* scratch, bool with_value) const {
  if (i < memory_.size()) return &memory_[i];
  const size_t j = i - memory_.size();
  FERRY_ASSIGN_OR_RETURN(uint64_t at, SpilledOffset(j));
  uint64_t header_size = 0, value_size = 0;
  FERRY_RETURN_IF_ERROR(Read(reinterpret_cast<char*>(&header_size), 8, at));
  if (header_size > file_end_ - at) {
    return Status::Internal("the temporary file of a unit does not read back as written");
  }
  std::string header(header_size, '\0');
  FERRY_RETURN_IF_ERROR(Read(header.data(), header.size(), at + 8));
  if (!ParseHeader(header, scratch)) {
    return Status::Internal("the temporary file of a unit does not read back as written");
  }
  FERRY_RETURN_IF_ERROR(Read(reinterpret_cast<char*>(&value_size), 8, at + 8 + header_size));
  scratch->value.clear();
  if (with_value) {
    // Room for simdjson's padding past the end: the parser then reads the value in place
    // rather than into a padded copy of it (one more value's size at the peak).
    scratch->value.reserve(value_size + simdjson::SIMDJSON_PADDING);
    scratch->value.resize(value_size);
    FERRY_RETURN_IF_ERROR(Read(scratch->value.data(), value_size, at + 16 + header_size));
  }
  cursor_index_ = j + 1;
  last_offset_ = at;
  cursor_offset_ = at + 16 + header_size + value_size;
  return static_cast<const Entry*>(scratch);
}

Result<UnitEntries> UnitEntries::Reload() const {
  if (!values_deferred_ || !reload_) return Status::Internal(unit_ + ": no values to read again");
  FERRY_ASSIGN_OR_RETURN(UnitEntries whole, reload_());
  // The same bytes give the same entries: a file rewritten since its keys were read is another
  // file, never loaded as this unit (the run stops, as for a file changed while being read).
  if (whole.values_deferred_ || whole.bytes_digest_ != bytes_digest_ || whole.unit_ != unit_ ||
      whole.size() != size()) {
    return Status::IOError(fmt::format(
        "{}: file changed while being read (its bytes differ from when its keys were read); "
        "nothing of it is loaded, what was committed before stays, and the same command resumes "
        "once no one writes to it",
        unit_));
  }
  return whole;
}

}  // namespace ferry
