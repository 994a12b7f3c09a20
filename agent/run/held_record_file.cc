#include "agent/run/held_record_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/private_file.h"

namespace ferry {

namespace {

constexpr size_t kBufferBytes = 256 << 10;

Status HeldFileError(const char* what, int error, const std::string& folder) {
  return Status::IOError(fmt::format(
      "{} the temporary file of records held for a second pass in {}: {} (point TMPDIR at a "
      "folder with room)",
      what, folder.empty() ? "the temporary folder" : folder, std::strerror(error)));
}

void PutInt(std::string* out, int64_t value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof value);
}

void PutString(std::string* out, const std::string& text) {
  PutInt(out, static_cast<int64_t>(text.size()));
  out->append(text);
}

void PutLocation(std::string* out, const Location& where) {
  PutString(out, where.file);
  PutInt(out, where.offset);
  PutInt(out, where.line);
  PutInt(out, where.column);
  PutString(out, where.origin);
  PutString(out, where.key);
  PutInt(out, where.index);
  PutString(out, where.pointer);
}

// Reads what Put* wrote, from a record's bytes (the file is read only by this process).
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  int64_t Int() {
    int64_t value = 0;
    if (rest_.size() >= sizeof value) std::memcpy(&value, rest_.data(), sizeof value);
    rest_.remove_prefix(std::min(rest_.size(), sizeof value));
    return value;
  }
  std::string String() {
    size_t size = std::min(rest_.size(), static_cast<size_t>(Int()));
    std::string text(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return text;
  }
  Location Place() {
    Location where;
    where.file = String();
    where.offset = Int();
    where.line = Int();
    where.column = Int();
    where.origin = String();
    where.key = String();
    where.index = Int();
    where.pointer = String();
    return where;
  }

 private:
  std::string_view rest_;
};

}  // namespace

HeldRecordFile::~HeldRecordFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status HeldRecordFile::Add(const HeldRecord& record) {
  std::string bytes;
  PutString(&bytes, record.json);
  PutString(&bytes, record.legacy_id);
  PutInt(&bytes, static_cast<int64_t>(record.parents.size()));
  for (const std::string& parent : record.parents) PutString(&bytes, parent);
  PutInt(&bytes, record.time_ms);
  PutLocation(&bytes, record.where);
  PutString(&bytes, record.key_suffix);
  const Entry& header = record.header;
  PutString(&bytes, header.unit);
  PutString(&bytes, header.user_hint);
  PutString(&bytes, header.origin);
  PutString(&bytes, header.key);
  PutInt(&bytes, static_cast<int64_t>(header.shape));
  PutLocation(&bytes, header.where);
  PutInt(&bytes, header.lossy ? 1 : 0);
  PutString(&bytes, header.exact_origin_json);
  PutString(&bytes, header.exact_key_json);
  PutString(&bytes, header.lossy_detail);
  PutInt(&bytes, header.overridden);
  PutInt(&write_buffer_, static_cast<int64_t>(bytes.size()));
  write_buffer_ += bytes;
  ++count_;
  return write_buffer_.size() >= kBufferBytes ? WriteOut() : Status::OK();
}

Status HeldRecordFile::WriteOut() {
  if (write_buffer_.empty()) return Status::OK();
  if (fd_ < 0) {
    std::string folder;
    fd_ = OpenUnnamedFile("", &folder);
    if (fd_ < 0) return HeldFileError("could not create", errno, folder);
  }
  size_t done = 0;
  while (done < write_buffer_.size()) {
    ssize_t put = ::pwrite(fd_, write_buffer_.data() + done, write_buffer_.size() - done,
                           static_cast<off_t>(file_end_ + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return HeldFileError("could not write", put < 0 ? errno : ENOSPC, "");
    done += static_cast<size_t>(put);
  }
  file_end_ += write_buffer_.size();
  write_buffer_.clear();
  return Status::OK();
}

Status HeldRecordFile::ReadBytes(size_t size, std::string* out) {
  out->clear();
  while (out->size() < size) {
    if (buffer_at_ == buffer_.size()) {
      if (read_offset_ >= file_end_) return Status::Internal("a held record ends early");
      buffer_.resize(
          static_cast<size_t>(std::min<uint64_t>(kBufferBytes, file_end_ - read_offset_)));
      size_t done = 0;
      while (done < buffer_.size()) {
        ssize_t got = ::pread(fd_, buffer_.data() + done, buffer_.size() - done,
                              static_cast<off_t>(read_offset_ + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return HeldFileError("could not read back", got < 0 ? errno : EIO, "");
        done += static_cast<size_t>(got);
      }
      read_offset_ += buffer_.size();
      buffer_at_ = 0;
    }
    size_t take = std::min(size - out->size(), buffer_.size() - buffer_at_);
    out->append(buffer_, buffer_at_, take);
    buffer_at_ += take;
  }
  return Status::OK();
}

Result<bool> HeldRecordFile::Next(HeldRecord* record) {
  if (read_offset_ == 0 && buffer_.empty()) FERRY_RETURN_IF_ERROR(WriteOut());  // a new reading
  if (buffer_at_ == buffer_.size() && read_offset_ >= file_end_) return false;
  std::string bytes;
  FERRY_RETURN_IF_ERROR(ReadBytes(sizeof(int64_t), &bytes));
  int64_t size = 0;
  std::memcpy(&size, bytes.data(), sizeof size);
  FERRY_RETURN_IF_ERROR(ReadBytes(static_cast<size_t>(size), &bytes));
  Reader in(bytes);
  record->json = in.String();
  record->legacy_id = in.String();
  record->parents.resize(static_cast<size_t>(in.Int()));
  for (std::string& parent : record->parents) parent = in.String();
  record->time_ms = in.Int();
  record->where = in.Place();
  record->key_suffix = in.String();
  Entry& header = record->header;
  header = Entry();
  header.unit = in.String();
  header.user_hint = in.String();
  header.origin = in.String();
  header.key = in.String();
  header.shape = static_cast<EntryShape>(in.Int());
  header.where = in.Place();
  header.lossy = in.Int() != 0;
  header.exact_origin_json = in.String();
  header.exact_key_json = in.String();
  header.lossy_detail = in.String();
  header.overridden = in.Int();
  return true;
}

Status HeldRecordFile::Clear() {
  write_buffer_.clear();
  count_ = 0;
  file_end_ = 0;
  Rewind();
  if (fd_ >= 0 && ::ftruncate(fd_, 0) != 0) return HeldFileError("could not empty", errno, "");
  return Status::OK();
}

}  // namespace ferry
