// FNV-1a, 64 bits: a small, stable, non-cryptographic hash for drift detection (the checksums
// of ferry's schema migrations), never for security. Stable across platforms and versions:
// a checksum recorded in a target must stay valid for every later ferry.
//
// Thread safety: a hasher is a value; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry {

class Fnv1a64 {
 public:
  // Feeds `bytes`; feeding "ab" then "c" gives the same hash as feeding "abc".
  void Add(std::string_view bytes) {
    for (char c : bytes) {
      hash_ = (hash_ ^ static_cast<unsigned char>(c)) * kPrime;
    }
  }

  uint64_t value() const { return hash_; }

  // The hash as 16 lower-case hex digits.
  std::string Hex() const;

 private:
  static constexpr uint64_t kOffsetBasis = 14695981039346656037ull;
  static constexpr uint64_t kPrime = 1099511628211ull;
  uint64_t hash_ = kOffsetBasis;
};

}  // namespace ferry
