#include "extractors/chromium/log_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/coding.h"
#include "extractors/chromium/crc32c.h"

namespace ferry::chromium {

namespace {

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

}  // namespace

LogReader::LogReader(FileHandle file, CorruptionReporter reporter)
    : file_(std::move(file)), reporter_(std::move(reporter)) {}

bool LogReader::ReadNextBlock() {
  uint64_t next = started_ ? block_offset_ + block_.size() : 0;
  if (started_ && block_.size() < kLogBlockSize) {
    return false;  // the last block was short: that was the end of the file
  }
  block_.resize(kLogBlockSize);
  Result<size_t> got = file_.Read(next, kLogBlockSize, block_.data());
  if (!got.ok()) {
    status_ = got.status();
    block_.clear();
    return false;
  }
  block_.resize(*got);
  block_offset_ = next;
  pos_ = 0;
  started_ = true;
  return !block_.empty();
}

void LogReader::ReportDropped(uint64_t offset, uint64_t end, const std::string& why) {
  Location where;
  where.file = file_.display_path();
  where.offset = static_cast<int64_t>(offset);
  reporter_(where, Status::Corruption(fmt::format("{}; {} bytes dropped", why, end - offset)));
}

void LogReader::DropPartialRecord(const std::string& why) {
  if (in_record_) {
    ReportDropped(fragment_offset_, fragment_offset_ + scratch_.size(),
                  fmt::format("record at offset {} is incomplete: {}", fragment_offset_, why));
    in_record_ = false;
    scratch_.clear();
  }
}

void LogReader::FlushZeroRun(uint64_t end) {
  if (zero_run_start_ >= 0) {
    auto start = static_cast<uint64_t>(zero_run_start_);
    zero_run_start_ = -1;
    ReportDropped(start, end,
                  fmt::format("zeroed space from offset {} to {} holds no records", start, end));
  }
}

void LogReader::DropThrough(uint64_t from, uint64_t end, const std::string& why) {
  // One report covers the record the damage belongs to, from its first fragment.
  uint64_t start = in_record_ ? fragment_offset_ : from;
  std::string what =
      in_record_ && fragment_offset_ != from
          ? fmt::format("{} (in the record that starts at offset {})", why, fragment_offset_)
          : why;
  in_record_ = false;
  scratch_.clear();
  ReportDropped(start, end, what);
}

void LogReader::FinishAtEnd() {
  uint64_t end = block_offset_ + block_.size();
  std::string_view rest = std::string_view(block_).substr(std::min(pos_, block_.size()));
  // A full block ends in padding when the next record starts in the next block; a short last
  // block holding bytes that are not a whole record was cut off by the end of the file.
  if (!rest.empty() && block_.size() < kLogBlockSize) {
    uint64_t rest_offset = end - rest.size();
    if (AllZero(rest) && !in_record_) {
      if (zero_run_start_ < 0) {
        zero_run_start_ = static_cast<int64_t>(rest_offset);
      }
    } else {
      FlushZeroRun(rest_offset);
      DropThrough(rest_offset, end,
                  fmt::format("the file ends inside the record header at offset {} (a torn "
                              "write)",
                              rest_offset));
    }
  }
  FlushZeroRun(end);
  DropPartialRecord("the file ends before its last fragment (a torn write)");
}

bool LogReader::ReadRecord(std::string* record, uint64_t* offset) {
  while (true) {
    if (!started_ || block_.size() - pos_ < kLogHeaderSize) {
      if (started_ && block_.size() == kLogBlockSize) {
        pos_ = block_.size();  // skip the padding at the end of a full block
      }
      if (finished_ || !ReadNextBlock()) {
        if (status_.ok() && !finished_) {
          FinishAtEnd();
        }
        finished_ = true;
        return false;
      }
      continue;
    }
    const char* header = block_.data() + pos_;
    uint64_t header_offset = block_offset_ + pos_;
    uint32_t stored_crc = DecodeFixed32(header);
    size_t length = static_cast<unsigned char>(header[4]) |
                    (static_cast<size_t>(static_cast<unsigned char>(header[5])) << 8);
    auto type = static_cast<uint8_t>(header[6]);
    std::string_view rest_of_block = std::string_view(block_).substr(pos_);
    if (type == kZeroType && length == 0 && AllZero(rest_of_block)) {
      // Zeroed (preallocated, or wiped by a crash): nothing here, try the next block.
      if (zero_run_start_ < 0) {
        zero_run_start_ = static_cast<int64_t>(header_offset);
      }
      pos_ = block_.size();
      continue;
    }
    FlushZeroRun(header_offset);
    uint64_t block_end = block_offset_ + block_.size();
    if (kLogHeaderSize + length > rest_of_block.size()) {
      pos_ = block_.size();
      if (block_.size() < kLogBlockSize) {
        DropThrough(header_offset, block_end,
                    fmt::format("the file ends inside the fragment at offset {} ({} of its {} "
                                "bytes are there; a torn write)",
                                header_offset, block_end - header_offset, kLogHeaderSize + length));
      } else {
        DropThrough(header_offset, block_end,
                    fmt::format("bad fragment length {} at offset {}; the rest of its block is "
                                "skipped",
                                length, header_offset));
      }
      continue;
    }
    std::string_view typed_payload(header + kLogHeaderSize - 1, length + 1);
    if (UnmaskCrc(stored_crc) != Crc32cExtend(0, typed_payload)) {
      pos_ = block_.size();
      DropThrough(header_offset, block_end,
                  fmt::format("checksum mismatch in the fragment at offset {}; the rest of its "
                              "block is skipped",
                              header_offset));
      continue;
    }
    std::string_view payload = typed_payload.substr(1);
    pos_ += kLogHeaderSize + length;
    switch (type) {
      case kFullType:
        DropPartialRecord("a whole record follows it");
        record->assign(payload);
        *offset = header_offset;
        last_fragments_.assign(1, {0, header_offset + kLogHeaderSize, length});
        return true;
      case kFirstType:
        DropPartialRecord("a new record starts before its last fragment");
        scratch_.assign(payload);
        fragments_.assign(1, {0, header_offset + kLogHeaderSize, length});
        fragment_offset_ = header_offset;
        in_record_ = true;
        break;
      case kMiddleType:
      case kLastType:
        if (!in_record_) {
          ReportDropped(header_offset, header_offset + kLogHeaderSize + length,
                        fmt::format("fragment at offset {} continues a record whose start was "
                                    "lost",
                                    header_offset));
          break;
        }
        fragments_.push_back({scratch_.size(), header_offset + kLogHeaderSize, length});
        scratch_.append(payload);
        if (type == kLastType) {
          in_record_ = false;
          record->swap(scratch_);
          scratch_.clear();
          last_fragments_.swap(fragments_);
          fragments_.clear();
          *offset = fragment_offset_;
          return true;
        }
        break;
      default:
        ReportDropped(header_offset, header_offset + kLogHeaderSize + length,
                      fmt::format("unknown fragment type {} at offset {}", type, header_offset));
        DropPartialRecord("a fragment of unknown type follows");
        break;
    }
  }
}

}  // namespace ferry::chromium
