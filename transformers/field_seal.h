// FieldSealer: the value of a `sensitive: encrypt` field, sealed for the target
// (docs/formats/sealed-field.md): XChaCha20-Poly1305 (libsodium's
// crypto_aead_xchacha20poly1305_ietf) under the field key (FERRY_FIELD_KEY), with the row's
// ULID as associated data, written as text: "ferry-enc:v1:" then standard base64 (with
// padding) of the 24-byte nonce followed by the ciphertext and its 16-byte tag. The plaintext
// is the value's JSON text as ferry would store it (a string with its quotes).
//
// The nonce is not random: it is BLAKE2b-192, keyed with a subkey of the field key, of the
// ULID, the field's path and the plaintext (the SIV construction). The same value of the same
// field of the same row seals to the same text, so a rerun finds the row unchanged and
// `ferry validate` can compare it; two different plaintexts never share a nonce. What it gives
// away: that a field of one row did not change between runs.
//
// The key is passed in as data (the run reads it; transformers do no I/O) and wiped on
// destruction. Thread safety: Seal is const and safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ferry {

inline constexpr char kSealedFieldPrefix[] = "ferry-enc:v1:";

class FieldSealer {
 public:
  // A sealer under the key given as 64 hex digits; InvalidArgument (never echoing the text)
  // for anything else.
  static Result<FieldSealer> FromHex(std::string_view hex);
  ~FieldSealer();
  FieldSealer(const FieldSealer& other) = default;
  FieldSealer& operator=(const FieldSealer& other) = default;

  // "ferry-enc:v1:<base64(nonce || ciphertext)>" of `plaintext`, bound to `ulid` (the
  // associated data); `path` (the field's dotted path) only makes the nonce.
  std::string Seal(std::string_view plaintext, std::string_view ulid, std::string_view path) const;

 private:
  FieldSealer() = default;
  std::array<uint8_t, 32> key_{};
  std::array<uint8_t, 32> nonce_key_{};
};

}  // namespace ferry
