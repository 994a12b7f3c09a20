#include "extractors/chromium/recording_file.h"

#include <fmt/format.h>

namespace ferry::chromium {

leveldb::Status RecordingFile::Read(uint64_t offset, size_t n, leveldb::Slice* result,
                                    char* scratch) const {
  reads_.push_back({offset, n});
  *result = leveldb::Slice();
  if (offset > file_.size() || n > file_.size() - offset) {
    return leveldb::Status::Corruption(fmt::format(
        "read of {} bytes at offset {} goes past the end ({} bytes)", n, offset, file_.size()));
  }
  Result<size_t> got = file_.Read(offset, n, scratch);
  if (!got.ok()) {
    return leveldb::Status::IOError(got.status().message());
  }
  *result = leveldb::Slice(scratch, *got);
  return leveldb::Status::OK();
}

std::vector<FileRead> RecordingFile::TakeReads() {
  std::vector<FileRead> taken;
  taken.swap(reads_);
  return taken;
}

}  // namespace ferry::chromium
