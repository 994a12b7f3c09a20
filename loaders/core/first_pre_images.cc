#include "loaders/core/first_pre_images.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "base/private_file.h"

namespace ferry {

namespace {

constexpr size_t kGroupBytes = 8;     // of the index key: images of one user or table together
constexpr size_t kAddressBytes = 16;  // then the address: collisions as unlikely as BLAKE2b-128's
constexpr size_t kSeqBytes = 8;       // before each sealed value: its nonce
constexpr size_t kFrameBytes = 4;     // before each sealed fallback record: its size
// The fallback's bytes held in memory before they go to its file, and read back at a time.
constexpr size_t kSpoolMemoryBytes = size_t{1} << 20;

// Seals what one ForEach puts into its index under keys made for it alone.
class Sealer {
 public:
  Sealer() {
    crypto_aead_xchacha20poly1305_ietf_keygen(seal_key_.data());
    crypto_generichash_keygen(hash_key_.data());
  }
  ~Sealer() {
    sodium_memzero(seal_key_.data(), seal_key_.size());
    sodium_memzero(hash_key_.data(), hash_key_.size());
  }
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  // The index key of `image`: a hash of its group (kind and entity and user, or table), then
  // of its address.
  std::string Key(const PreImage& image) const {
    std::string group(1, static_cast<char>(image.kind));
    if (image.kind == PreImage::Kind::kRow) {
      group += image.table;
    } else {
      group += image.entity + '\0' + image.user_id;
    }
    std::string key(kGroupBytes + kAddressBytes, '\0');
    Hash(group, reinterpret_cast<unsigned char*>(key.data()), kGroupBytes);
    Hash(image.Address(), reinterpret_cast<unsigned char*>(key.data()) + kGroupBytes,
         kAddressBytes);
    return key;
  }

  // seq (8 bytes, little-endian) | the record sealed with nonce seq.
  std::string Seal(std::string_view record, uint64_t seq) const {
    std::string out(kSeqBytes + record.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce = Nonce(seq);
    std::memcpy(out.data(), nonce.data(), kSeqBytes);
    unsigned long long sealed = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(out.data()) + kSeqBytes, &sealed,
        reinterpret_cast<const unsigned char*>(record.data()), record.size(), nullptr, 0, nullptr,
        nonce.data(), seal_key_.data());
    return out;
  }

  Result<std::string> Open(std::string_view value) const {
    if (value.size() < kSeqBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
      return Status::IOError("the rollback's temporary file: a record is cut");
    }
    uint64_t seq = 0;
    std::memcpy(&seq, value.data(), kSeqBytes);
    std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce = Nonce(seq);
    std::string out(value.size() - kSeqBytes - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long opened = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(out.data()), &opened, nullptr,
            reinterpret_cast<const unsigned char*>(value.data()) + kSeqBytes,
            value.size() - kSeqBytes, nullptr, 0, nonce.data(), seal_key_.data()) != 0) {
      return Status::IOError("the rollback's temporary file: a record fails its check");
    }
    return out;
  }

 private:
  static std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> Nonce(
      uint64_t seq) {
    std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
    for (size_t i = 0; i < kSeqBytes; ++i) nonce[i] = static_cast<unsigned char>(seq >> (8 * i));
    return nonce;
  }
  void Hash(std::string_view bytes, unsigned char* out, size_t size) const {
    crypto_generichash(out, size, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size(), hash_key_.data(), hash_key_.size());
  }

  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> seal_key_{};
  std::array<unsigned char, crypto_generichash_KEYBYTES> hash_key_{};
};

Status SpoolError(const char* what, int error, const std::string& folder) {
  return Status::IOError(std::string(what) + " the rollback's temporary file in " + folder + ": " +
                         std::strerror(error) + " (point TMPDIR at a folder with room)");
}

// Calls `sink` with the record of each whole frame (u32 size | sealed) at the start of `bytes`;
// *used gets the bytes of those frames.
Status EachFrame(const Sealer& sealer, std::string_view bytes,
                 const FirstPreImages::RecordSink& sink, size_t* used) {
  *used = 0;
  while (bytes.size() - *used >= kFrameBytes) {
    uint32_t size = 0;
    std::memcpy(&size, bytes.data() + *used, kFrameBytes);
    if (bytes.size() - *used - kFrameBytes < size) break;
    FERRY_ASSIGN_OR_RETURN(std::string record,
                           sealer.Open(bytes.substr(*used + kFrameBytes, size)));
    FERRY_RETURN_IF_ERROR(sink(record));
    *used += kFrameBytes + size;
  }
  return Status::OK();
}

}  // namespace

// The fallback images between ForEach calls, encoded and sealed under a key of its own, framed
// (u32 size | sealed): in memory up to kSpoolMemoryBytes, the rest appended to an unnamed 0600
// temporary file. Memory: that buffer, whatever the number of images.
class FirstPreImages::FallbackSpool {
 public:
  FallbackSpool() = default;
  ~FallbackSpool() {
    if (fd_ >= 0) ::close(fd_);
  }
  FallbackSpool(const FallbackSpool&) = delete;
  FallbackSpool& operator=(const FallbackSpool&) = delete;

  uint64_t file_bytes() const { return file_end_; }

  Status Append(std::string_view record) {
    std::string sealed = sealer_.Seal(record, ++count_);
    const uint32_t size = static_cast<uint32_t>(sealed.size());
    buffer_.append(reinterpret_cast<const char*>(&size), kFrameBytes);
    buffer_ += sealed;
    return buffer_.size() >= kSpoolMemoryBytes ? WriteBuffer() : Status::OK();
  }

  // Calls `sink` with every record, in the order they were appended.
  Status ForEach(const RecordSink& sink) const {
    std::string pending;  // read from the file, not yet whole frames
    size_t used = 0;
    for (uint64_t offset = 0; offset < file_end_;) {
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>(kSpoolMemoryBytes, file_end_ - offset));
      const size_t had = pending.size();
      pending.resize(had + want);
      ssize_t got = ::pread(fd_, pending.data() + had, want, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) {
        pending.resize(had);
        continue;
      }
      if (got <= 0) return SpoolError("could not read", got < 0 ? errno : EIO, folder_);
      pending.resize(had + static_cast<size_t>(got));
      offset += static_cast<uint64_t>(got);
      FERRY_RETURN_IF_ERROR(EachFrame(sealer_, pending, sink, &used));
      pending.erase(0, used);
    }
    FERRY_RETURN_IF_ERROR(EachFrame(sealer_, buffer_, sink, &used));
    if (!pending.empty() || used != buffer_.size()) {
      return Status::IOError("the rollback's temporary file: a fallback record is cut");
    }
    return Status::OK();
  }

 private:
  Status WriteBuffer() {
    if (fd_ < 0) {
      fd_ = OpenUnnamedFile("", &folder_);
      if (fd_ < 0) return SpoolError("could not create", errno, folder_);
    }
    for (size_t done = 0; done < buffer_.size();) {
      ssize_t put = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                             static_cast<off_t>(file_end_ + done));
      if (put < 0 && errno == EINTR) continue;
      if (put <= 0) return SpoolError("could not write", put < 0 ? errno : ENOSPC, folder_);
      done += static_cast<size_t>(put);
    }
    file_end_ += buffer_.size();
    buffer_.clear();
    return Status::OK();
  }

  Sealer sealer_;
  uint64_t count_ = 0;  // the nonce of the last record sealed
  std::string buffer_;
  int fd_ = -1;
  uint64_t file_end_ = 0;
  std::string folder_;
};

FirstPreImages::FirstPreImages(RecordSource source, uint64_t memory_budget)
    : source_(std::move(source)), memory_budget_(memory_budget) {}

FirstPreImages::~FirstPreImages() = default;

Status FirstPreImages::AddFallback(const PreImage& image) {
  if (fallback_ == nullptr) {
    if (sodium_init() < 0) return Status::Internal("libsodium could not be initialized");
    fallback_ = std::make_unique<FallbackSpool>();
  }
  return fallback_->Append(EncodePreImage(image));
}

void FirstPreImages::ClearFallback() { fallback_.reset(); }

uint64_t FirstPreImages::fallback_file_bytes() const {
  return fallback_ != nullptr ? fallback_->file_bytes() : 0;
}

Status FirstPreImages::ForEach(const std::function<Status(const PreImage&)>& visit) {
  if (sodium_init() < 0) return Status::Internal("libsodium could not be initialized");
  Sealer sealer;
  SpillingKeyIndex index(memory_budget_);
  uint64_t seq = 0;
  // Of one address the highest rank wins: the first record (rank max - 1), a fallback last (0).
  FERRY_RETURN_IF_ERROR(source_([&](std::string_view record) -> Status {
    FERRY_ASSIGN_OR_RETURN(PreImage image, DecodePreImage(record));
    ++seq;
    return index.Put(sealer.Key(image), std::numeric_limits<uint64_t>::max() - seq,
                     sealer.Seal(record, seq));
  }));
  if (fallback_ != nullptr) {
    FERRY_RETURN_IF_ERROR(fallback_->ForEach([&](std::string_view record) -> Status {
      FERRY_ASSIGN_OR_RETURN(PreImage image, DecodePreImage(record));
      ++seq;
      return index.Put(sealer.Key(image), 0, sealer.Seal(record, seq));
    }));
  }
  FERRY_RETURN_IF_ERROR(index.Finish());
  spilled_runs_ = index.spilled_runs();
  for (; index.Valid(); index.Next()) {
    FERRY_ASSIGN_OR_RETURN(std::string record, sealer.Open(index.value()));
    FERRY_ASSIGN_OR_RETURN(PreImage image, DecodePreImage(record));
    FERRY_RETURN_IF_ERROR(visit(image));
  }
  return index.status();
}

std::unique_ptr<FirstPreImages> PreImagesInMemory(std::vector<PreImage> images) {
  auto records = std::make_shared<std::vector<std::string>>();
  for (const PreImage& image : images) records->push_back(EncodePreImage(image));
  return std::make_unique<FirstPreImages>([records](const FirstPreImages::RecordSink& sink) {
    for (const std::string& record : *records) FERRY_RETURN_IF_ERROR(sink(record));
    return Status::OK();
  });
}

}  // namespace ferry
