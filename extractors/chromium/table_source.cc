#include "extractors/chromium/table_source.h"

#include <fmt/format.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>
#include <snappy.h>

#include <exception>
#include <vector>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/coding.h"
#include "extractors/chromium/crc32c.h"
#include "extractors/chromium/recording_file.h"

namespace ferry::chromium {

namespace {

// Checks the footer before leveldb::Table trusts it: its block handles are not checksummed,
// and a wild size would make LevelDB allocate that much.
Status CheckFooter(const FileHandle& file, uint64_t size) {
  if (size < kTableFooterSize) {
    return Status::Corruption(fmt::format("table of {} bytes is too short for its {}-byte footer",
                                          size, kTableFooterSize));
  }
  char footer[kTableFooterSize];
  FERRY_ASSIGN_OR_RETURN(size_t got, file.Read(size - kTableFooterSize, sizeof footer, footer));
  if (got != sizeof footer || DecodeFixed64(footer + kTableFooterSize - 8) != kTableMagic) {
    return Status::Corruption("no table footer at the end (bad magic number): cut short?");
  }
  ByteReader handles(std::string_view(footer, kTableFooterSize - 8));
  for (const char* which : {"metaindex", "index"}) {
    uint64_t offset = 0;
    uint64_t length = 0;
    if (!handles.GetVarint64(&offset) || !handles.GetVarint64(&length) ||
        offset > size - kTableFooterSize ||
        length + kBlockTrailerSize > size - kTableFooterSize - offset) {
      return Status::Corruption(fmt::format("the footer's {} block handle is malformed", which));
    }
  }
  return Status::OK();
}

// Why the block read at `read` (contents and trailer) could not be used, found again from
// its bytes.
std::string DiagnoseBlock(const FileHandle& file, const FileRead& read) {
  if (read.size < kBlockTrailerSize || read.offset > file.size() ||
      read.size > file.size() - read.offset) {
    return "it runs past the end of the file";
  }
  std::string bytes(read.size, '\0');
  Result<size_t> got = file.Read(read.offset, read.size, bytes.data());
  if (!got.ok() || *got != read.size) {
    return "it cannot be read again";
  }
  size_t length = read.size - kBlockTrailerSize;
  auto type = static_cast<uint8_t>(bytes[length]);
  uint32_t stored = UnmaskCrc(DecodeFixed32(bytes.data() + length + 1));
  if (stored != Crc32cExtend(0, std::string_view(bytes).substr(0, length + 1))) {
    return "block checksum mismatch";
  }
  if (type == kSnappyCompression && !snappy::IsValidCompressedBuffer(bytes.data(), length)) {
    return "its snappy compression is corrupt";
  }
  if (type != kSnappyCompression && type != kNoCompression) {
    return fmt::format("unknown compression type {}", type);
  }
  return "its contents are malformed";
}

class TableSource final : public SortedSource {
 public:
  TableSource(std::unique_ptr<RecordingFile> file, std::unique_ptr<leveldb::Table> table,
              CorruptionReporter reporter)
      : file_(std::move(file)), table_(std::move(table)), reporter_(std::move(reporter)) {
    where_.file = file_->file().display_path();
    leveldb::ReadOptions options;
    // Each data block's checksum is checked, by file_ (RecordingFile::CheckBlocks) rather than
    // by LevelDB: the same check and error, an eighth of the instructions.
    options.verify_checksums = false;
    options.fill_cache = false;
    iter_.reset(table_->NewIterator(options));
    Step(/*first=*/true);
  }

  bool Valid() const override { return valid_; }
  std::string_view user_key() const override { return user_key_; }
  uint64_t sequence() const override { return sequence_; }
  bool deletion() const override { return deletion_; }
  std::string_view value() const override {
    leveldb::Slice value = iter_->value();
    return std::string_view(value.data(), value.size());
  }
  const Location& where() const override { return where_; }
  void Next() override { Step(/*first=*/false); }

 private:
  void Report(int64_t offset, const std::string& what) {
    Location where;
    where.file = where_.file;
    where.offset = offset;
    reporter_(where, Status::Corruption(what));
  }

  // Moves to the first or next well-formed entry, reporting the blocks passed over.
  void Step(bool first) {
    while (true) {
      try {
        first ? iter_->SeekToFirst() : iter_->Next();
      } catch (const std::exception& e) {  // LevelDB allocating for a wild block size
        Report(where_.offset,
               fmt::format("reading the table failed ({}); the rest of it is lost", e.what()));
        valid_ = false;
        return;
      }
      first = false;
      AccountForReads();
      if (!iter_->Valid()) {
        valid_ = false;
        leveldb::Status status = iter_->status();
        if (!status.ok() && !reported_block_) {
          Report(-1, fmt::format("table read failed: {}", status.ToString()));
        }
        return;
      }
      if (ParseKey()) {
        valid_ = true;
        return;
      }
    }
  }

  // Each read made during one step is a data block; all but the one the iterator now stands
  // in (if any) gave no entry, so they were unusable. LevelDB never writes an empty block.
  void AccountForReads() {
    std::vector<FileRead> reads = file_->TakeReads();
    size_t unusable = reads.size();
    if (iter_->Valid() && !reads.empty()) {
      --unusable;
      where_.offset = static_cast<int64_t>(reads.back().offset);
    }
    for (size_t i = 0; i < unusable; ++i) {
      reported_block_ = true;
      Report(static_cast<int64_t>(reads[i].offset),
             fmt::format("data block at offset {} ({} bytes) is unreadable: {}; its entries are "
                         "lost",
                         reads[i].offset, reads[i].size, DiagnoseBlock(file_->file(), reads[i])));
    }
  }

  // Splits the internal key; false (after reporting) when it is malformed.
  bool ParseKey() {
    leveldb::Slice key = iter_->key();
    if (key.size() < kInternalKeyTrailerSize) {
      Report(where_.offset, fmt::format("internal key of {} bytes in the block at offset {} is "
                                        "too short; entry skipped",
                                        key.size(), where_.offset));
      return false;
    }
    size_t user_size = key.size() - kInternalKeyTrailerSize;
    uint64_t trailer = DecodeFixed64(key.data() + user_size);
    auto type = static_cast<uint8_t>(trailer & 0xff);
    if (type != kTypeValue && type != kTypeDeletion) {
      Report(where_.offset, fmt::format("entry of unknown type {} in the block at offset {}; "
                                        "skipped",
                                        type, where_.offset));
      return false;
    }
    user_key_ = std::string_view(key.data(), user_size);
    sequence_ = trailer >> 8;
    deletion_ = type == kTypeDeletion;
    return true;
  }

  // Destroyed in reverse: the iterator before the table, the table before its file.
  std::unique_ptr<RecordingFile> file_;
  std::unique_ptr<leveldb::Table> table_;
  std::unique_ptr<leveldb::Iterator> iter_;
  CorruptionReporter reporter_;
  Location where_;  // the table, and the offset of the block of the current entry
  bool valid_ = false;
  bool reported_block_ = false;
  std::string_view user_key_;
  uint64_t sequence_ = 0;
  bool deletion_ = false;
};

}  // namespace

std::unique_ptr<SortedSource> OpenTable(const std::string& dir, const std::string& display_dir,
                                        const LiveTable& table,
                                        const CorruptionReporter& reporter) {
  std::string display_path = display_dir + "/" + table.name;
  auto report = [&](const std::string& what) {
    Location where;
    where.file = display_path;
    reporter(where, Status::Corruption(fmt::format("{}; the table's entries are lost", what)));
    return nullptr;
  };
  uint64_t size = table.size;
  if (table.manifest_size != 0 && table.size < table.manifest_size) {
    return report(fmt::format("table is {} bytes, but {} were written (MANIFEST): {}", table.size,
                              table.manifest_size,
                              table.size == 0 ? "it is empty" : "it was cut short"));
  }
  if (table.manifest_size != 0 && table.size > table.manifest_size) {
    Location where;
    where.file = display_path;
    where.offset = static_cast<int64_t>(table.manifest_size);
    reporter(where, Status::Corruption(fmt::format(
                        "table is {} bytes, but {} were written (MANIFEST); the {} bytes after "
                        "them are ignored",
                        table.size, table.manifest_size, table.size - table.manifest_size)));
    size = table.manifest_size;
  }
  Result<FileHandle> handle = FileHandle::Open(dir + "/" + table.name, display_path);
  if (!handle.ok()) {
    return report(handle.status().ToString());
  }
  auto file = std::make_unique<RecordingFile>(std::move(handle).value());
  if (Status footer = CheckFooter(file->file(), size); !footer.ok()) {
    return report(footer.message());
  }
  leveldb::Options options;
  options.paranoid_checks = true;  // verify the index block's checksum too
  leveldb::Table* opened = nullptr;
  leveldb::Status status;
  try {
    status = leveldb::Table::Open(options, file.get(), size, &opened);
  } catch (const std::exception& e) {
    return report(fmt::format("opening the table failed: {}", e.what()));
  }
  std::unique_ptr<leveldb::Table> owned(opened);
  if (!status.ok()) {
    return report(fmt::format("the table's index cannot be read: {}", status.ToString()));
  }
  file->TakeReads();    // the footer and index, not data blocks
  file->CheckBlocks();  // every later read is a data block
  return std::make_unique<TableSource>(std::move(file), std::move(owned), reporter);
}

}  // namespace ferry::chromium
