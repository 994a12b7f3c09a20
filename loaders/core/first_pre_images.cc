#include "loaders/core/first_pre_images.h"

#include <sodium.h>

#include <array>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace ferry {

namespace {

constexpr size_t kGroupBytes = 8;     // of the index key: images of one user or table together
constexpr size_t kAddressBytes = 16;  // then the address: collisions as unlikely as BLAKE2b-128's
constexpr size_t kSeqBytes = 8;       // before each sealed value: its nonce

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

}  // namespace

FirstPreImages::FirstPreImages(RecordSource source, uint64_t memory_budget)
    : source_(std::move(source)), memory_budget_(memory_budget) {}

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
  for (const PreImage& image : fallback_) {
    ++seq;
    FERRY_RETURN_IF_ERROR(index.Put(sealer.Key(image), 0, sealer.Seal(EncodePreImage(image), seq)));
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
