// Opens a sealed field (docs/formats/sealed-field.md) with libsodium directly, as a user's own
// program would: never through ferry's code, so that a test of ferry's sealing checks the
// documented form, not ferry against itself.
#pragma once

#include <sodium.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ferry::test {

// Opens "ferry-enc:v1:<base64(nonce || ciphertext)>" with the key and the ULID as associated
// data, as docs/formats/sealed-field.md describes; nullopt when it does not open.
inline std::optional<std::string> OpenSealedField(const std::string& sealed,
                                                  const std::string& key_hex,
                                                  const std::string& ulid) {
  REQUIRE(sodium_init() >= 0);
  const std::string prefix = "ferry-enc:v1:";
  if (sealed.rfind(prefix, 0) != 0) return std::nullopt;
  std::string b64 = sealed.substr(prefix.size());
  std::vector<unsigned char> bytes(b64.size());
  size_t length = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), b64.data(), b64.size(), nullptr, &length,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  unsigned char key[32];
  REQUIRE(sodium_hex2bin(key, sizeof key, key_hex.data(), key_hex.size(), nullptr, nullptr,
                         nullptr) == 0);
  const size_t nonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (length < nonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::nullopt;
  std::vector<unsigned char> plain(length);
  unsigned long long plain_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plain.data(), &plain_length, nullptr, bytes.data() + nonce, length - nonce,
          reinterpret_cast<const unsigned char*>(ulid.data()), ulid.size(), bytes.data(),
          key) != 0) {
    return std::nullopt;
  }
  return std::string(plain.begin(), plain.begin() + static_cast<long>(plain_length));
}

}  // namespace ferry::test
