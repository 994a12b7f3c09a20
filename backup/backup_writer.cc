#include "backup/backup_writer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "backup/archive_header.h"
#include "backup/blake2b.h"
#include "backup/bytes.h"
#include "backup/chunk_codec.h"
#include "backup/file_io.h"
#include "backup/sealed_stream.h"
#include "backup/source_read_ahead.h"
#include "base/private_file.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

namespace {

namespace fs = std::filesystem;

struct ManifestEntry {
  std::string name;
  uint64_t size = 0;
  std::array<uint8_t, kHashBytes> hash{};
};

class BackupWriterImpl final : public BackupWriter {
 public:
  BackupWriterImpl(ScopedFd fd, std::string path, ArchiveKeys keys, ArchiveHeader header,
                   const BackupWriterOptions& options)
      : fd_(std::move(fd)),
        path_(std::move(path)),
        keys_(std::move(keys)),
        header_(std::move(header)),
        compressor_(options.zstd_level),
        zstd_level_(options.zstd_level),
        written_bytes_(options.written),
        reference_(options.reference) {}

  Status WriteHeader() {
    std::string body = EncodeHeaderBody(header_);
    header_.mac = ComputeMac(keys_.mac_key, body);
    body.append(reinterpret_cast<const char*>(header_.mac.data()), header_.mac.size());
    FERRY_RETURN_IF_ERROR(Write(body));
    return BeginSegment(SegmentKind::kSources);
  }

  Status AddSource(const std::string& source, std::vector<std::string>* skipped) override {
    std::error_code ec;
    fs::path root = fs::absolute(source, ec).lexically_normal();
    if (root.has_filename() == false) root = root.parent_path();
    fs::file_status st = fs::symlink_status(root, ec);
    if (ec) {
      return Status::NotFound(source + ": " + ec.message());
    }
    std::string top = root.filename().string();
    // Two sources of the same name ("unicode" of two browsers) get distinct entry names.
    for (int n = 2; tops_.count(top) != 0 && tops_[top] != root.string(); ++n) {
      top = root.filename().string() + "~" + std::to_string(n);
    }
    tops_[top] = root.string();
    roots_.insert(root.string());
    if (fs::is_regular_file(st)) {
      return AddSourceFile(root.string(), root.string(), top);
    }
    if (!fs::is_directory(st)) {
      return Status::InvalidArgument(source + ": neither a regular file nor a directory");
    }
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      fs::file_status entry = it->symlink_status(ec);
      if (ec) break;
      if (fs::is_regular_file(entry)) {
        files.push_back(it->path());
      } else if (!fs::is_directory(entry)) {
        skipped->push_back(it->path().string());
      }
    }
    if (ec) {
      return Status::IOError(source + ": " + ec.message());
    }
    std::sort(files.begin(), files.end());
    std::vector<SourceFileToRead> to_read;
    for (const fs::path& file : files) {
      std::string name = top + "/" + file.lexically_relative(root).generic_string();
      to_read.push_back({file.string(), file.string(), std::move(name)});
    }
    return AddSourceFiles(std::move(to_read));
  }

  Status AddSourceFile(const std::string& path, const std::string& origin,
                       const std::string& name) override {
    return AddSourceFiles({{path, origin, name}});
  }

  // The files' bytes are read and hashed on another thread (SourceReadAhead) and compressed by
  // its helper thread and this one, while this one seals and writes the chunks in order.
  Status AddSourceFiles(std::vector<SourceFileToRead> files) {
    if (state_ != State::kSources) {
      return Status::Internal("AddSourceFile after EndSources");
    }
    for (const SourceFileToRead& file : files) {
      if (file.name.empty() || file.name.size() > kMaxNameBytes ||
          file.origin.size() > kMaxNameBytes) {
        return Status::InvalidArgument(file.path + ": entry name too long");
      }
    }
    SourceReadAhead ahead(std::move(files), header_.chunk_bytes, zstd_level_);
    SourceReadAhead::Item item;
    while (ahead.Next(&item)) {
      const SourceFileToRead& file = ahead.files()[item.file];
      switch (item.kind) {
        case SourceReadAhead::Item::Kind::kBegin: {
          ByteWriter begin;
          begin.Str16(file.origin);
          begin.Str16(file.name);
          FERRY_RETURN_IF_ERROR(WriteSealed(FrameType::kFileBegin, begin.str(), false));
          break;
        }
        case SourceReadAhead::Item::Kind::kData:
          FERRY_RETURN_IF_ERROR(WriteSealed(FrameType::kFileData, item.encoded(), false));
          ahead.RecyclePayload(std::move(item.payload));
          if (reference_ != nullptr) {
            reference_->PushChunk(std::move(item.bytes), item.size);
            std::string spare;
            while (reference_->TakeBack(&spare)) ahead.Recycle(std::move(spare));
          } else {
            ahead.Recycle(std::move(item.bytes));
          }
          break;
        case SourceReadAhead::Item::Kind::kEnd: {
          ByteWriter end;
          end.U64(item.size);
          end.Bytes(item.hash.data(), item.hash.size());
          FERRY_RETURN_IF_ERROR(WriteSealed(FrameType::kFileEnd, end.str(), false));
          if (reference_ != nullptr) reference_->PushEnd(item.size, item.hash);
          source_bytes_ += item.size;
          manifest_.push_back(ManifestEntry{file.name, item.size, item.hash});
          break;
        }
        case SourceReadAhead::Item::Kind::kError:
          return item.status;
      }
    }
    return Status::OK();
  }

  Status ReferSources(const std::vector<std::string>& sources, const std::string& holder,
                      const std::vector<ArchivedFile>& files) override {
    if (state_ != State::kSources || !manifest_.empty() || !roots_.empty()) {
      return Status::Internal("ReferSources after a source was added");
    }
    if (holder.empty() || holder.size() > 255 || files.empty()) {
      return Status::InvalidArgument("ReferSources: no archive or no files");
    }
    for (const std::string& source : sources) {
      if (source.empty()) continue;  // a database URL: no path, never archived
      std::error_code ec;
      fs::path root = fs::absolute(source, ec).lexically_normal();
      if (root.has_filename() == false) root = root.parent_path();
      roots_.insert(root.string());
    }
    for (const ArchivedFile& file : files) {
      manifest_.push_back(ManifestEntry{file.name, file.size, file.hash});
      source_bytes_ += file.size;
    }
    holder_ = holder;
    return Status::OK();
  }

  Status EndSources() override {
    if (state_ != State::kSources) {
      return Status::Internal("EndSources twice");
    }
    // The manifest and the summary are the caller's to publish, once they are synced; both
    // objects belong to the sources' read-back, which ends with them.
    written_bytes_ = nullptr;
    reference_ = nullptr;
    ByteWriter m;
    m.U32(static_cast<uint32_t>(manifest_.size()));
    for (const ManifestEntry& entry : manifest_) {
      m.Str16(entry.name);
      m.U64(entry.size);
      m.Bytes(entry.hash.data(), entry.hash.size());
    }
    FERRY_RETURN_IF_ERROR(WriteSealed(FrameType::kManifest, m.str(), true));
    // The summary lets `list` and `prune` work without the key; its MAC lets verify trust it.
    ByteWriter s;
    s.U32(static_cast<uint32_t>(manifest_.size()));
    s.U64(source_bytes_);
    std::string roots;
    for (const std::string& root : roots_) roots += root + '\n';
    std::array<uint8_t, 16> source_set{};
    crypto_generichash(source_set.data(), source_set.size(),
                       reinterpret_cast<const uint8_t*>(roots.data()), roots.size(), nullptr, 0);
    s.Bytes(source_set.data(), source_set.size());
    if (!holder_.empty()) {
      s.U8(static_cast<uint8_t>(holder_.size()));
      s.Bytes(holder_);
    }
    std::string signed_part(reinterpret_cast<const char*>(header_.mac.data()), kMacBytes);
    signed_part += s.str();
    std::array<uint8_t, kMacBytes> mac = ComputeMac(keys_.mac_key, signed_part);
    s.Bytes(mac.data(), mac.size());
    FERRY_RETURN_IF_ERROR(WriteFrame(FrameType::kSummary, s.str()));
    state_ = State::kBetween;
    return Sync();
  }

  Status BeginPreImages() override {
    if (state_ != State::kBetween) {
      return Status::Internal("BeginPreImages outside of the place for a section");
    }
    state_ = State::kPreImages;
    return BeginSegment(SegmentKind::kPreImages);
  }

  Status AppendPreImage(std::string_view record) override {
    if (state_ != State::kPreImages) {
      return Status::Internal("AppendPreImage without BeginPreImages");
    }
    if (record.size() > kMaxRecordBytes) {
      return Status::InvalidArgument("a pre-image record over 64 MiB");
    }
    // u32 length, then the record, straight into the chunk: no copy per record, and the stream
    // hash takes a whole chunk at a time (SealPending) rather than a call per small record.
    const uint32_t size = static_cast<uint32_t>(record.size());
    const char length[4] = {static_cast<char>(size & 0xff), static_cast<char>((size >> 8) & 0xff),
                            static_cast<char>((size >> 16) & 0xff),
                            static_cast<char>((size >> 24) & 0xff)};
    ++records_;
    FERRY_RETURN_IF_ERROR(AppendPending(std::string_view(length, sizeof(length))));
    return AppendPending(record);
  }

  Status Flush() override {
    if (state_ == State::kPreImages) {
      FERRY_RETURN_IF_ERROR(SealPending());
    }
    return Sync();
  }

  Status EndPreImages() override {
    if (state_ != State::kPreImages) {
      return Status::Internal("EndPreImages without BeginPreImages");
    }
    FERRY_RETURN_IF_ERROR(SealPending());
    ByteWriter end;
    end.U64(records_);
    std::array<uint8_t, kHashBytes> hash = stream_hash_.Peek();
    end.Bytes(hash.data(), hash.size());
    FERRY_RETURN_IF_ERROR(WriteSealed(FrameType::kPreImageEnd, end.str(), true));
    state_ = State::kBetween;
    return Sync();
  }

  Status Finish() override {
    if (state_ == State::kSources) {
      FERRY_RETURN_IF_ERROR(EndSources());
    }
    if (state_ == State::kPreImages) {
      FERRY_RETURN_IF_ERROR(EndPreImages());
    }
    if (state_ != State::kBetween) {
      return Status::Internal("Finish twice");
    }
    uint32_t segments_before = segment_index_ + 1;
    FERRY_RETURN_IF_ERROR(BeginSegment(SegmentKind::kEnd));
    ByteWriter end;
    end.U32(segments_before);
    end.U64(records_);
    std::array<uint8_t, kHashBytes> hash = stream_hash_.Peek();
    end.Bytes(hash.data(), hash.size());
    FERRY_RETURN_IF_ERROR(WriteSealed(FrameType::kEnd, end.str(), true));
    FERRY_RETURN_IF_ERROR(Sync());
    state_ = State::kFinished;
    fd_.Reset(-1);
    return Status::OK();
  }

  uint64_t size() const override { return written_; }

 private:
  enum class State { kSources, kBetween, kPreImages, kFinished };

  Status Write(std::string_view bytes) {
    FERRY_RETURN_IF_ERROR(WriteAll(fd_.get(), bytes, path_));
    written_ += bytes.size();
    if (written_bytes_ != nullptr) written_bytes_->Publish(written_);
    if (state_ == State::kSources) StartWriteback();
    return Status::OK();
  }

  // Hands the sources' bytes to the disk every few MiB as they are written, without waiting
  // (a hint: errors are EndSources's fdatasync's to report). That sync then finds little left
  // to write: it ended the phase, with every thread idle, after ~0.1 s of writeback of the
  // whole 95 MB archive at 1M tasks (docs/benchmarks.md, "Eleventh session").
  void StartWriteback() {
    constexpr uint64_t kWritebackBytes = 8 << 20;
    if (written_ - writeback_from_ < kWritebackBytes) return;
    ::sync_file_range(fd_.get(), static_cast<off_t>(writeback_from_),
                      static_cast<off_t>(written_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
    writeback_from_ = written_;
  }

  Status Sync() {
    if (fd_.get() >= 0 && ::fdatasync(fd_.get()) != 0) {
      return ErrnoStatus(path_);
    }
    return Status::OK();
  }

  Status WriteFrame(FrameType type, std::string_view payload) {
    ByteWriter w;
    w.U8(static_cast<uint8_t>(type));
    w.U32(static_cast<uint32_t>(payload.size()));
    frame_.assign(w.str());
    frame_.append(payload);
    return Write(frame_);
  }

  Status BeginSegment(SegmentKind kind) {
    if (sealer_ != nullptr) ++segment_index_;
    segment_kind_ = kind;
    std::array<uint8_t, kStreamHeaderBytes> stream_header{};
    sealer_ = std::make_unique<StreamSealer>(keys_.stream_key, &stream_header);
    ByteWriter w;
    w.U8(static_cast<uint8_t>(kind));
    w.U32(segment_index_);
    w.Bytes(stream_header.data(), stream_header.size());
    return WriteFrame(FrameType::kSegmentStart, w.str());
  }

  Status WriteSealed(FrameType type, std::string_view plain, bool final) {
    ByteWriter ad;
    ad.Bytes(header_.mac.data(), header_.mac.size());
    ad.U32(segment_index_);
    ad.U8(static_cast<uint8_t>(segment_kind_));
    ad.U8(static_cast<uint8_t>(type));
    sealer_->SealInto(plain, ad.str(), final, &cipher_);
    return WriteFrame(type, cipher_);
  }

  // Adds framed record bytes to the chunk being filled, sealing each chunk as it fills.
  Status AppendPending(std::string_view rest) {
    while (!rest.empty()) {
      size_t take = std::min(rest.size(), header_.chunk_bytes - pending_.size());
      pending_.append(rest.substr(0, take));
      rest.remove_prefix(take);
      if (pending_.size() == header_.chunk_bytes) {
        FERRY_RETURN_IF_ERROR(SealPending());
      }
    }
    return Status::OK();
  }

  // The stream hash covers every chunk's bytes in order: hashed here, before each chunk goes
  // out, it is the same as hashing each framed record as it came (every Peek follows a seal).
  Status SealPending() {
    if (pending_.empty()) return Status::OK();
    stream_hash_.Update(pending_);
    Status status = WriteSealed(FrameType::kPreImageData, compressor_.Encode(pending_), false);
    pending_.clear();
    return status;
  }

  ScopedFd fd_;
  std::string path_;
  ArchiveKeys keys_;
  ArchiveHeader header_;
  ChunkCompressor compressor_;  // the pre-images' (the sources' chunks: SourceReadAhead)
  int zstd_level_;
  std::unique_ptr<StreamSealer> sealer_;
  // A chunk's ciphertext and its frame: reused, so that a chunk allocates and clears nothing.
  std::string cipher_;
  std::string frame_;
  uint32_t segment_index_ = 0;
  SegmentKind segment_kind_ = SegmentKind::kSources;
  State state_ = State::kSources;
  std::vector<ManifestEntry> manifest_;
  std::set<std::string> roots_;
  std::string holder_;  // the earlier archive holding the sources (ReferSources); empty: here
  std::map<std::string, std::string> tops_;  // entry name of a source -> its path
  uint64_t source_bytes_ = 0;
  std::string pending_;
  Blake2b stream_hash_;
  uint64_t records_ = 0;
  uint64_t written_ = 0;
  uint64_t writeback_from_ = 0;   // bytes before it were handed to the disk (StartWriteback)
  WrittenBytes* written_bytes_;   // null once the sources end
  ReadBackReference* reference_;  // null once the sources end
};

}  // namespace

Result<std::unique_ptr<BackupWriter>> BackupWriter::Create(const std::string& path,
                                                           const KeyMaterial& key,
                                                           const BackupWriterOptions& options) {
  if (options.run_id.size() > kMaxRunIdBytes) {
    return Status::InvalidArgument("run id too long for a backup header");
  }
  if (options.chunk_bytes == 0 || options.chunk_bytes > kMaxChunkBytes) {
    return Status::InvalidArgument("backup chunk size out of range");
  }
  ArchiveHeader header;
  header.key_kind =
      key.kind == KeyMaterial::Kind::kPassphrase ? KeyKind::kPassphrase : KeyKind::kRawKey;
  header.chunk_bytes = options.chunk_bytes;
  if (header.key_kind == KeyKind::kPassphrase) {
    DefaultKdfParameters(&header.opslimit, &header.memlimit);
    randombytes_buf(header.salt.data(), header.salt.size());
  }
  randombytes_buf(header.archive_id.data(), header.archive_id.size());
  header.created_unix = static_cast<uint64_t>(std::time(nullptr));
  header.run_id = options.run_id;
  FERRY_ASSIGN_OR_RETURN(ArchiveKeys keys, DeriveArchiveKeys(key, header));
  ScopedFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kPrivateFileMode));
  if (fd.get() < 0) {
    return ErrnoStatus(path);
  }
  ::fchmod(fd.get(), kPrivateFileMode);  // whatever the umask
  auto writer = std::make_unique<BackupWriterImpl>(std::move(fd), path, std::move(keys),
                                                   std::move(header), options);
  FERRY_RETURN_IF_ERROR(writer->WriteHeader());
  return std::unique_ptr<BackupWriter>(std::move(writer));
}

}  // namespace ferry::backup
