// PeekArchive (backup/backup_reader.h): the clear parts of an archive, without its key.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/backup_reader.h"
#include "backup/bytes.h"
#include "backup/file_io.h"
#include "backup/frame_rules.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

Result<ArchiveInfo> PeekArchive(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return ErrnoStatus(path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return ErrnoStatus(path);
  }
  std::string head;
  FERRY_RETURN_IF_ERROR(
      ReadUpTo(fd.get(), kHeaderFixedBytes + kMaxRunIdBytes + kMacBytes, &head, path));
  size_t consumed = 0;
  FERRY_ASSIGN_OR_RETURN(ArchiveHeader header, ParseHeader(head, &consumed));
  ArchiveInfo info;
  info.header = std::move(header);
  info.file_bytes = static_cast<uint64_t>(st.st_size);
  // Walks the frames by their lengths: only segment starts and the summary are read.
  uint64_t at = consumed;
  bool in_end_segment = false;
  while (at + kFrameHeaderBytes <= info.file_bytes) {
    if (::lseek(fd.get(), static_cast<off_t>(at), SEEK_SET) < 0) {
      return ErrnoStatus(path);
    }
    std::string frame;
    FERRY_RETURN_IF_ERROR(ReadUpTo(fd.get(), kFrameHeaderBytes, &frame, path));
    ByteReader r(frame);
    uint8_t type = 0;
    uint32_t length = 0;
    r.U8(&type);
    r.U32(&length);
    if (!r.ok() || at + kFrameHeaderBytes + length > info.file_bytes) break;
    auto frame_type = static_cast<FrameType>(type);
    if (frame_type == FrameType::kSegmentStart || frame_type == FrameType::kSummary) {
      std::string payload;
      FERRY_RETURN_IF_ERROR(ReadUpTo(fd.get(), length, &payload, path));
      ByteReader p(payload);
      if (frame_type == FrameType::kSegmentStart) {
        uint8_t kind = 0;
        p.U8(&kind);
        in_end_segment = static_cast<SegmentKind>(kind) == SegmentKind::kEnd;
      } else {
        SummaryFields summary;
        info.has_summary = ParseSummary(payload, &summary);
        info.sources = summary.files;
        info.source_bytes = summary.bytes;
        info.source_set = summary.source_set;
        info.sources_in = summary.sources_in;  // a resumed run's: the holder of its sources
      }
    } else if (frame_type == FrameType::kEnd && in_end_segment) {
      info.finished = at + kFrameHeaderBytes + length == info.file_bytes;
    }
    at += kFrameHeaderBytes + length;
  }
  return info;
}

}  // namespace ferry::backup
