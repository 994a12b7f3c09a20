#include "transformers/field_seal.h"

#include <sodium.h>

#include <vector>

namespace ferry {

namespace {

// The BLAKE2b input's parts, each preceded by its length (8 bytes, little-endian), so that
// ("ab", "c") and ("a", "bc") differ.
void Absorb(crypto_generichash_state* state, std::string_view part) {
  uint8_t length[8];
  uint64_t n = part.size();
  for (uint8_t& byte : length) {
    byte = static_cast<uint8_t>(n);
    n >>= 8;
  }
  crypto_generichash_update(state, length, sizeof length);
  crypto_generichash_update(state, reinterpret_cast<const uint8_t*>(part.data()), part.size());
}

}  // namespace

Result<FieldSealer> FieldSealer::FromHex(std::string_view hex) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  FieldSealer sealer;
  size_t length = 0;
  const char* end = nullptr;
  if (hex.size() != 64 ||
      sodium_hex2bin(sealer.key_.data(), sealer.key_.size(), hex.data(), hex.size(), nullptr,
                     &length, &end) != 0 ||
      length != sealer.key_.size() || end != hex.data() + hex.size()) {
    return Status::InvalidArgument("FERRY_FIELD_KEY is not 64 hex digits (32 bytes)");
  }
  crypto_kdf_derive_from_key(sealer.nonce_key_.data(), sealer.nonce_key_.size(), 1, "ferrynce",
                             sealer.key_.data());
  return sealer;
}

FieldSealer::~FieldSealer() {
  sodium_memzero(key_.data(), key_.size());
  sodium_memzero(nonce_key_.data(), nonce_key_.size());
}

std::string FieldSealer::Seal(std::string_view plaintext, std::string_view ulid,
                              std::string_view path) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::vector<uint8_t> sealed(kNonce + plaintext.size() +
                              crypto_aead_xchacha20poly1305_ietf_ABYTES);
  crypto_generichash_state state;
  crypto_generichash_init(&state, nonce_key_.data(), nonce_key_.size(), kNonce);
  Absorb(&state, ulid);
  Absorb(&state, path);
  Absorb(&state, plaintext);
  crypto_generichash_final(&state, sealed.data(), kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data() + kNonce, &written, reinterpret_cast<const uint8_t*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const uint8_t*>(ulid.data()), ulid.size(), nullptr,
      sealed.data(), key_.data());
  sealed.resize(kNonce + written);
  std::string text(sodium_base64_encoded_len(sealed.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), sealed.data(), sealed.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return kSealedFieldPrefix + text;
}

}  // namespace ferry
