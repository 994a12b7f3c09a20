#include "extractors/chromium/recording_file.h"

#include <fmt/format.h>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/coding.h"
#include "extractors/chromium/crc32c.h"

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
  // A short read is left to LevelDB ("truncated block read"), as without the check.
  if (check_blocks_ && *got == n && n >= kBlockTrailerSize) {
    size_t length = n - kBlockTrailerSize;
    // The CRC covers the contents and the compression type byte after them.
    if (UnmaskCrc(DecodeFixed32(scratch + length + 1)) !=
        Crc32cExtend(0, std::string_view(scratch, length + 1))) {
      return leveldb::Status::Corruption("block checksum mismatch");  // LevelDB's words
    }
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
