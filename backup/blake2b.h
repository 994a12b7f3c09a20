// Blake2b: a running, unkeyed BLAKE2b-256 (RFC 7693) whose digest can be taken at any point
// while the hashing goes on: the checksums of files and of the pre-image stream
// (backup/backup_format.h).
//
// Ferry's own compression function rather than libsodium's crypto_generichash, which gives the
// same digests: libsodium 1.0.18 (Debian 12) hashes at about half the speed of this portable
// code with its rounds unrolled (~560 against ~1,100 MB/s), and the sources' backup hashes every
// source byte (397 MB at 1M tasks: docs/benchmarks.md, "Eleventh session"). Keyed BLAKE2b
// (the archive's MACs) stays libsodium's. tests/backup/blake2b_test.cc compares the two.
//
// Thread safety: one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backup/backup_format.h"

namespace ferry::backup {

using Hash = std::array<uint8_t, kHashBytes>;

class Blake2b {
 public:
  Blake2b() { Reset(); }
  void Reset();
  void Update(std::string_view bytes);
  // The digest of what was hashed so far; the running state goes on.
  Hash Peek() const;

 private:
  static constexpr size_t kBlockBytes = 128;
  // Compresses one block; `last` marks the final one (RFC 7693, 3.2).
  void Compress(const uint8_t* block, bool last);
  void Count(uint64_t bytes);

  std::array<uint64_t, 8> h_{};
  uint64_t t0_ = 0;  // bytes compressed so far (a 128-bit counter: t1_ the high word)
  uint64_t t1_ = 0;
  // The last block is kept back, even when full: it is compressed with the final flag.
  std::array<uint8_t, kBlockBytes> buffer_{};
  size_t buffered_ = 0;
};

}  // namespace ferry::backup
