#include "backup/sealed_stream.h"

namespace ferry::backup {

namespace {

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace

StreamSealer::StreamSealer(const SecretBytes& key,
                           std::array<uint8_t, kStreamHeaderBytes>* header) {
  crypto_secretstream_xchacha20poly1305_init_push(&state_, header->data(), key.data());
}

StreamSealer::~StreamSealer() { sodium_memzero(&state_, sizeof state_); }

std::string StreamSealer::Seal(std::string_view plain, std::string_view ad, bool final) {
  std::string cipher;
  SealInto(plain, ad, final, &cipher);
  return cipher;
}

void StreamSealer::SealInto(std::string_view plain, std::string_view ad, bool final,
                            std::string* cipher) {
  cipher->resize(plain.size() + kSealOverheadBytes);
  unsigned long long length = 0;
  crypto_secretstream_xchacha20poly1305_push(
      &state_, reinterpret_cast<uint8_t*>(cipher->data()), &length, Bytes(plain), plain.size(),
      Bytes(ad), ad.size(),
      final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
            : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  cipher->resize(length);
}

StreamOpener::StreamOpener(const SecretBytes& key,
                           const std::array<uint8_t, kStreamHeaderBytes>& header) {
  header_ok_ =
      crypto_secretstream_xchacha20poly1305_init_pull(&state_, header.data(), key.data()) == 0;
}

StreamOpener::~StreamOpener() { sodium_memzero(&state_, sizeof state_); }

Status StreamOpener::Open(std::string_view cipher, std::string_view ad, std::string* plain,
                          bool* final) {
  if (!header_ok_) {
    return Status::Corruption("the segment's stream header is invalid");
  }
  if (cipher.size() < kSealOverheadBytes) {
    return Status::Corruption("too short to be sealed");
  }
  plain->resize(cipher.size() - kSealOverheadBytes);
  unsigned long long length = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&state_, reinterpret_cast<uint8_t*>(plain->data()),
                                                 &length, &tag, Bytes(cipher), cipher.size(),
                                                 Bytes(ad), ad.size()) != 0) {
    plain->clear();
    return Status::Corruption(
        "fails authentication (altered, out of order, from elsewhere, or the wrong key)");
  }
  plain->resize(length);
  if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
      tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    return Status::Corruption("carries an unexpected tag");
  }
  *final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  return Status::OK();
}

}  // namespace ferry::backup
