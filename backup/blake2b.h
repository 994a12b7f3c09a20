// Blake2b: a running, unkeyed BLAKE2b-256 (libsodium crypto_generichash) whose digest can be
// taken at any point while the hashing goes on: the checksums of files and of the pre-image
// stream (backup/backup_format.h).
//
// Thread safety: one thread at a time.
#pragma once

#include <sodium.h>

#include <array>
#include <string_view>

#include "backup/backup_format.h"

namespace ferry::backup {

using Hash = std::array<uint8_t, kHashBytes>;

class Blake2b {
 public:
  Blake2b() { Reset(); }
  void Reset() { crypto_generichash_init(&state_, nullptr, 0, kHashBytes); }
  void Update(std::string_view bytes) {
    crypto_generichash_update(&state_, reinterpret_cast<const uint8_t*>(bytes.data()),
                              bytes.size());
  }
  // The digest of what was hashed so far; the running state goes on.
  Hash Peek() const {
    crypto_generichash_state copy = state_;
    Hash out{};
    crypto_generichash_final(&copy, out.data(), out.size());
    return out;
  }

 private:
  crypto_generichash_state state_;
};

}  // namespace ferry::backup
