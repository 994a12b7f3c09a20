#include "backup/backup_reader.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "backup/blake2b.h"
#include "backup/bytes.h"
#include "backup/chunk_codec.h"
#include "backup/file_io.h"
#include "backup/frame_rules.h"
#include "backup/sealed_stream.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

Status BackupVisitor::OnFileBegin(const std::string&, const std::string&) { return Status::OK(); }
Status BackupVisitor::OnFileData(std::string_view) { return Status::OK(); }
Status BackupVisitor::OnFileEnd() { return Status::OK(); }
Status BackupVisitor::OnPreImage(std::string_view) { return Status::OK(); }

namespace {

Hash HashBytes(std::string_view bytes) {
  Blake2b hash;
  hash.Update(bytes);
  return hash.Peek();
}

struct FileRecord {
  std::string name;
  uint64_t size = 0;
  Hash hash{};
};

class BackupReaderImpl final : public BackupReader {
 public:
  BackupReaderImpl(ScopedFd fd, ArchiveHeader header, ArchiveKeys keys, uint64_t offset,
                   const WrittenBytes* written, ReadBackReference* reference)
      : fd_(std::move(fd)),
        header_(std::move(header)),
        keys_(std::move(keys)),
        offset_(offset),
        written_(written),
        reference_(reference) {}

  const ArchiveHeader& header() const override { return header_; }

  Status Read(BackupVisitor* visitor, ReadOutcome* outcome) override {
    BackupVisitor none;
    visitor_ = visitor != nullptr ? visitor : &none;
    outcome_ = outcome;
    *outcome_ = ReadOutcome();
    while (true) {
      std::string head;
      WaitFor(offset_ + kFrameHeaderBytes);
      FERRY_RETURN_IF_ERROR(ReadUpTo(fd_.get(), kFrameHeaderBytes, &head, "backup archive"));
      if (head.empty()) {
        return AtEnd();
      }
      uint64_t frame_offset = offset_;
      offset_ += head.size();
      std::string where = Where(head[0], frame_offset);
      if (head.size() < kFrameHeaderBytes) {
        return Status::Corruption(where + ": cut inside its frame header");
      }
      ByteReader r(head);
      uint8_t type = 0;
      uint32_t length = 0;
      r.U8(&type);
      r.U32(&length);
      if (length > MaxPayload(static_cast<FrameType>(type), header_.chunk_bytes)) {
        return Status::Corruption(where + ": length " + std::to_string(length) + " over its bound");
      }
      std::string_view payload;
      WaitFor(offset_ + length);
      FERRY_RETURN_IF_ERROR(ReadInto(fd_.get(), length, &payload_, &payload, "backup archive"));
      offset_ += payload.size();
      if (payload.size() < length) {
        return Status::Corruption(where + ": cut (the archive ends inside it)");
      }
      Status status = Frame(static_cast<FrameType>(type), payload);
      if (!status.ok()) {
        return status.WithContext(where);
      }
      if (listing_ != nullptr && summary_seen_) {
        return Status::OK();  // the sources segment is all a listing reads
      }
    }
  }

  Status ReadSourcesListing(SourcesListing* listing) override {
    listing_ = listing;
    *listing_ = SourcesListing();
    ReadOutcome outcome;
    FERRY_RETURN_IF_ERROR(Read(nullptr, &outcome));  // stops after the summary
    listing_->sources_in = outcome.sources_in;
    return Status::OK();
  }

 private:
  void WaitFor(uint64_t end) const {
    if (written_ != nullptr) written_->WaitFor(end);
  }

  std::string Where(char type, uint64_t at) const {
    auto t = static_cast<FrameType>(static_cast<uint8_t>(type));
    std::string where;
    if (t == FrameType::kManifest) {
      where = "manifest (chunk " + std::to_string(chunk_) + ")";
    } else if (t == FrameType::kSummary) {
      where = "summary";
    } else if (t == FrameType::kSegmentStart) {
      where = "segment " + std::to_string(next_segment_) + " start";
    } else {
      where = "chunk " + std::to_string(chunk_) + " (" + FrameName(static_cast<uint8_t>(t)) + ")";
    }
    return where + " at byte " + std::to_string(at);
  }

  Status AtEnd() {
    if (listing_ != nullptr) {
      return Status::Corruption("the sources segment is incomplete (no summary)");
    }
    if (opener_ != nullptr && !segment_final_) {
      return Status::Corruption("segment " + std::to_string(segment_index_) + " (" +
                                SegmentName(segment_kind_) + ") is cut after chunk " +
                                std::to_string(chunk_ - 1) +
                                ": no final tag (a crash while writing, or the archive was "
                                "truncated)");
    }
    if (outcome_->sources_complete && !summary_seen_) {
      return Status::Corruption("summary: missing after the sources (the archive was cut)");
    }
    if (!outcome_->finished) {
      return Status::Corruption(
          "the archive has no end segment: it was not finished (a run still writing or "
          "crashed) or it was cut after its last complete segment");
    }
    return Status::OK();
  }

  Status Frame(FrameType type, std::string_view payload) {
    if (outcome_->finished) {
      return Status::Corruption("data after the end segment");
    }
    if (type == FrameType::kSegmentStart) return SegmentStart(payload);
    if (type == FrameType::kSummary) return Summary(payload);
    if (opener_ == nullptr || segment_final_) {
      return Status::Corruption("outside any open segment");
    }
    if (!BelongsTo(type, segment_kind_)) {
      return Status::Corruption(std::string("does not belong in a ") + SegmentName(segment_kind_) +
                                " segment");
    }
    ByteWriter ad;
    ad.Bytes(header_.mac.data(), header_.mac.size());
    ad.U32(segment_index_);
    ad.U8(static_cast<uint8_t>(segment_kind_));
    ad.U8(static_cast<uint8_t>(type));
    std::string& plain = plain_;
    bool final = false;
    FERRY_RETURN_IF_ERROR(opener_->Open(payload, ad.str(), &plain, &final));
    ++chunk_;
    if (final != IsFinalType(type)) {
      return Status::Corruption(final ? "carries the final tag too early" : "lacks the final tag");
    }
    segment_final_ = final;
    switch (type) {
      case FrameType::kFileBegin:
        return FileBegin(plain);
      case FrameType::kFileData:
        return FileData(plain);
      case FrameType::kFileEnd:
        return FileEnd(plain);
      case FrameType::kManifest:
        return Manifest(plain);
      case FrameType::kPreImageData:
        return PreImageData(plain);
      case FrameType::kPreImageEnd:
        return PreImageEnd(plain);
      case FrameType::kEnd:
        return End(plain);
      default:
        return Status::Corruption("unknown frame type");
    }
  }

  Status SegmentStart(std::string_view payload) {
    if (opener_ != nullptr && !segment_final_) {
      return Status::Corruption("segment " + std::to_string(segment_index_) + " (" +
                                SegmentName(segment_kind_) +
                                ") was cut: no final tag before the next segment");
    }
    ByteReader r(payload);
    uint8_t kind = 0;
    uint32_t index = 0;
    std::array<uint8_t, kStreamHeaderBytes> stream_header{};
    r.U8(&kind);
    r.U32(&index);
    r.Bytes(stream_header.size(), stream_header.data());
    if (!r.at_end()) {
      return Status::Corruption("malformed");
    }
    if (index != next_segment_) {
      return Status::Corruption("is numbered " + std::to_string(index) + ", expected " +
                                std::to_string(next_segment_) + " (segments reordered)");
    }
    auto segment = static_cast<SegmentKind>(kind);
    bool first = index == 0;
    if (first != (segment == SegmentKind::kSources) ||
        (segment != SegmentKind::kSources && segment != SegmentKind::kPreImages &&
         segment != SegmentKind::kEnd)) {
      return Status::Corruption("has an unexpected kind " + std::to_string(kind));
    }
    if (!first && !summary_seen_) {
      return Status::Corruption("follows the sources without their summary");
    }
    segment_index_ = index;
    segment_kind_ = segment;
    segment_final_ = false;
    ++next_segment_;
    opener_ = std::make_unique<StreamOpener>(keys_.stream_key, stream_header);
    return Status::OK();
  }

  Status Summary(std::string_view payload) {
    if (summary_seen_ || !outcome_->sources_complete || segment_kind_ != SegmentKind::kSources) {
      return Status::Corruption("out of place");
    }
    SummaryFields summary;
    if (!ParseSummary(payload, &summary)) return Status::Corruption("malformed");
    std::string signed_part(reinterpret_cast<const char*>(header_.mac.data()), kMacBytes);
    signed_part.append(payload.substr(0, summary.signed_length));
    if (!MacMatches(keys_.mac_key, signed_part, summary.mac)) {
      return Status::Corruption("its MAC does not match (altered)");
    }
    if (summary.files != outcome_->files || summary.bytes != outcome_->source_bytes) {
      return Status::Corruption("does not match the manifest");
    }
    // Files listed but not held only with the holder named, and the other way round.
    if (listed_only_ != !summary.sources_in.empty()) {
      return Status::Corruption(listed_only_ ? "the manifest lists files the archive does not hold"
                                             : "names another archive beside its own files");
    }
    outcome_->sources_in = summary.sources_in;
    if (listing_ != nullptr) listing_->source_set = summary.source_set;
    summary_seen_ = true;
    return Status::OK();
  }

  Status FileBegin(std::string_view plain) {
    if (in_file_) return Status::Corruption("a file begins before the last one ended");
    ByteReader r(plain);
    std::string origin, name;
    r.Str16(&origin);
    r.Str16(&name);
    if (!r.at_end()) return Status::Corruption("malformed");
    in_file_ = true;
    file_ = FileRecord{name, 0, {}};
    file_hash_.Reset();
    if (listing_ != nullptr) listing_->files.push_back(ArchivedFile{origin, name, 0, {}});
    return visitor_->OnFileBegin(origin, name);
  }

  Status FileData(std::string_view plain) {
    if (!in_file_) return Status::Corruption("file data outside a file");
    if (listing_ != nullptr) return Status::OK();  // authenticated; its size is the end's
    std::string_view raw;
    FERRY_RETURN_IF_ERROR(decompressor_.Decode(plain, header_.chunk_bytes, &raw));
    if (reference_ != nullptr) {
      ReadBackReference::Item written;
      if (!reference_->Next(&written) || written.end ||
          std::string_view(written.bytes.data(), written.size) != raw) {
        return Status::Corruption("does not read back as the bytes written");
      }
      reference_->GiveBack(std::move(written.bytes));
    } else {
      file_hash_.Update(raw);
    }
    file_.size += raw.size();
    return visitor_->OnFileData(raw);
  }

  Status FileEnd(std::string_view plain) {
    if (!in_file_) return Status::Corruption("a file ends that did not begin");
    ByteReader r(plain);
    uint64_t size = 0;
    Hash hash{};
    r.U64(&size);
    r.Bytes(hash.size(), hash.data());
    if (!r.at_end()) return Status::Corruption("malformed");
    if (listing_ != nullptr) {
      // Not decompressed: the sealed end record is the writer's word for the file.
      file_.size = size;
      file_.hash = hash;
      listing_->files.back().size = size;
      listing_->files.back().hash = hash;
    } else if (reference_ != nullptr) {
      // Every byte read back equals a byte the writer hashed: its checksum is theirs.
      ReadBackReference::Item written;
      if (!reference_->Next(&written) || !written.end || written.size != file_.size) {
        return Status::Corruption("the file does not read back as written");
      }
      file_.hash = written.hash;
    } else {
      file_.hash = file_hash_.Peek();
    }
    if (size != file_.size || sodium_memcmp(hash.data(), file_.hash.data(), hash.size()) != 0) {
      return Status::Corruption("the checksum of the file does not match its bytes");
    }
    in_file_ = false;
    files_.push_back(file_);
    return visitor_->OnFileEnd();
  }

  Status Manifest(std::string_view plain) {
    if (in_file_) return Status::Corruption("the manifest comes inside a file");
    ByteReader r(plain);
    uint32_t count = 0;
    r.U32(&count);
    outcome_->manifest_hash = HashBytes(plain);
    // Files listed, none held: another archive holds them, which the summary must name.
    listed_only_ = r.ok() && count > 0 && files_.empty();
    if (!r.ok() || (count != files_.size() && !listed_only_)) {
      return Status::Corruption("lists a different number of files than the archive holds");
    }
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < count; ++i) {
      FileRecord listed;
      r.Str16(&listed.name);
      r.U64(&listed.size);
      r.Bytes(listed.hash.size(), listed.hash.data());
      if (!r.ok()) return Status::Corruption("malformed");
      const FileRecord& file = listed_only_ ? listed : files_[i];
      if (listed.name != file.name || listed.size != file.size || listed.hash != file.hash) {
        return Status::Corruption("does not match the file " + file.name);
      }
      bytes += file.size;
    }
    if (!r.at_end()) return Status::Corruption("malformed");
    outcome_->files = count;
    outcome_->source_bytes = bytes;
    outcome_->sources_complete = true;
    return Status::OK();
  }

  Status PreImageData(std::string_view plain) {
    std::string_view raw;
    FERRY_RETURN_IF_ERROR(decompressor_.Decode(plain, header_.chunk_bytes, &raw));
    stream_hash_.Update(raw);
    std::string_view rest = raw;
    while (!rest.empty()) {
      if (!record_length_known_) {
        size_t take = std::min(rest.size(), 4 - record_.size());
        record_.append(rest.substr(0, take));
        rest.remove_prefix(take);
        if (record_.size() < 4) break;
        ByteReader lr(record_);
        lr.U32(&record_length_);
        if (record_length_ > kMaxRecordBytes) {
          return Status::Corruption("a pre-image record over its bound");
        }
        record_.clear();
        record_length_known_ = true;
      }
      size_t take = std::min<size_t>(rest.size(), record_length_ - record_.size());
      record_.append(rest.substr(0, take));
      rest.remove_prefix(take);
      if (record_.size() == record_length_) {
        FERRY_RETURN_IF_ERROR(visitor_->OnPreImage(record_));
        ++records_;
        record_.clear();
        record_length_known_ = false;
      }
    }
    if (!record_length_known_ && record_.empty()) {
      outcome_->pre_image_records = records_;
    }
    return Status::OK();
  }

  Status CheckStream(std::string_view plain) {
    ByteReader r(plain);
    uint64_t records = 0;
    Hash hash{};
    r.U64(&records);
    r.Bytes(hash.size(), hash.data());
    if (!r.at_end()) return Status::Corruption("malformed");
    if (record_length_known_ || !record_.empty()) {
      return Status::Corruption("a pre-image record is cut");
    }
    if (records != records_ || hash != stream_hash_.Peek()) {
      return Status::Corruption("the pre-image stream's count or checksum does not match");
    }
    return Status::OK();
  }

  Status PreImageEnd(std::string_view plain) {
    FERRY_RETURN_IF_ERROR(CheckStream(plain));
    ++outcome_->pre_image_sections;
    return Status::OK();
  }

  Status End(std::string_view plain) {
    ByteReader r(plain);
    uint32_t segments = 0;
    r.U32(&segments);
    if (!r.ok() || segments != segment_index_) {
      return Status::Corruption("counts a different number of segments before it");
    }
    FERRY_RETURN_IF_ERROR(CheckStream(plain.substr(4)));
    outcome_->finished = true;
    return Status::OK();
  }

  ScopedFd fd_;
  ArchiveHeader header_;
  ArchiveKeys keys_;
  uint64_t offset_;
  const WrittenBytes* written_;   // null: the archive is complete on disk
  ReadBackReference* reference_;  // null: each file's bytes are hashed
  BackupVisitor* visitor_ = nullptr;
  ReadOutcome* outcome_ = nullptr;
  ChunkDecompressor decompressor_;
  std::unique_ptr<StreamOpener> opener_;
  uint32_t segment_index_ = 0;
  uint32_t next_segment_ = 0;
  SegmentKind segment_kind_ = SegmentKind::kSources;
  bool segment_final_ = false;
  bool summary_seen_ = false;
  bool listed_only_ = false;           // the manifest lists files held by another archive
  SourcesListing* listing_ = nullptr;  // set by ReadSourcesListing
  uint64_t chunk_ = 0;
  bool in_file_ = false;
  FileRecord file_;
  Blake2b file_hash_;
  std::vector<FileRecord> files_;
  Blake2b stream_hash_;
  // A frame's payload and plaintext: reused from one chunk to the next (no allocation or
  // clearing of a chunk's worth per chunk).
  std::string payload_;
  std::string plain_;
  std::string record_;
  uint32_t record_length_ = 0;
  bool record_length_known_ = false;
  uint64_t records_ = 0;
};

}  // namespace

Result<std::unique_ptr<BackupReader>> BackupReader::Open(const std::string& path,
                                                         const KeyMaterial& key) {
  return OpenFollowing(path, key, nullptr, nullptr);
}

Result<std::unique_ptr<BackupReader>> BackupReader::OpenFollowing(const std::string& path,
                                                                  const KeyMaterial& key,
                                                                  const WrittenBytes* written,
                                                                  ReadBackReference* reference) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return ErrnoStatus(path);
  }
  std::string head;
  FERRY_RETURN_IF_ERROR(
      ReadUpTo(fd.get(), kHeaderFixedBytes + kMaxRunIdBytes + kMacBytes, &head, path));
  size_t consumed = 0;
  FERRY_ASSIGN_OR_RETURN(ArchiveHeader header, ParseHeader(head, &consumed));
  FERRY_ASSIGN_OR_RETURN(ArchiveKeys keys, DeriveArchiveKeys(key, header));
  if (!MacMatches(keys.mac_key, std::string_view(head).substr(0, consumed - kMacBytes),
                  header.mac)) {
    return Status::Corruption(
        "header: the key does not open this archive (a wrong passphrase or key, or the "
        "header was altered)");
  }
  if (::lseek(fd.get(), static_cast<off_t>(consumed), SEEK_SET) < 0) {
    return ErrnoStatus(path);
  }
  return std::unique_ptr<BackupReader>(std::make_unique<BackupReaderImpl>(
      std::move(fd), std::move(header), std::move(keys), consumed, written, reference));
}

}  // namespace ferry::backup
