// One crypto_secretstream_xchacha20poly1305 segment, sealing or opening its messages in
// order. The state is wiped when the object goes away.
//
// Thread safety: used by one thread at a time.
#pragma once

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "backup/secret.h"
#include "base/status.h"

namespace ferry::backup {

inline constexpr size_t kStreamHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
inline constexpr size_t kSealOverheadBytes = crypto_secretstream_xchacha20poly1305_ABYTES;

class StreamSealer {
 public:
  // Starts a segment with `key` (32 bytes); *header is its fresh random stream header.
  StreamSealer(const SecretBytes& key, std::array<uint8_t, kStreamHeaderBytes>* header);
  ~StreamSealer();
  StreamSealer(const StreamSealer&) = delete;
  StreamSealer& operator=(const StreamSealer&) = delete;

  // The ciphertext of `plain` bound to `ad`; `final` marks the segment's last message.
  std::string Seal(std::string_view plain, std::string_view ad, bool final);
  // As Seal, into *cipher (its memory reused from one message to the next).
  void SealInto(std::string_view plain, std::string_view ad, bool final, std::string* cipher);

 private:
  crypto_secretstream_xchacha20poly1305_state state_;
};

class StreamOpener {
 public:
  StreamOpener(const SecretBytes& key, const std::array<uint8_t, kStreamHeaderBytes>& header);
  ~StreamOpener();
  StreamOpener(const StreamOpener&) = delete;
  StreamOpener& operator=(const StreamOpener&) = delete;

  // Opens the next message. Corruption when it fails authentication (altered, out of order,
  // from another segment, or the wrong key). *final is true for the segment's last message.
  Status Open(std::string_view cipher, std::string_view ad, std::string* plain, bool* final);

 private:
  crypto_secretstream_xchacha20poly1305_state state_;
  bool header_ok_ = true;
};

}  // namespace ferry::backup
