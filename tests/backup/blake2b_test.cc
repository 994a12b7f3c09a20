// Blake2b (backup/blake2b.h), ferry's own BLAKE2b-256, gives libsodium's crypto_generichash
// digest for every length and every way of cutting the input into Update calls: the checksums in
// archives written before it (by libsodium) still verify, and new ones verify with either.
#include "backup/blake2b.h"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace ferry::backup::blake2b_test {

namespace {

Hash Sodium(std::string_view bytes) {
  Hash out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return out;
}

std::string Hex(const Hash& hash) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : hash) {
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  return hex;
}

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xff);
  return bytes;
}

}  // namespace

TEST_CASE("Blake2b: a known digest (BLAKE2b-256 of \"abc\" and of nothing)", "[backup]") {
  REQUIRE(sodium_init() >= 0);
  Blake2b empty;
  CHECK(Hex(empty.Peek()) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  Blake2b abc;
  abc.Update("abc");
  CHECK(Hex(abc.Peek()) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST_CASE("Blake2b: libsodium's digest for every length around the block edges, in one call",
          "[backup]") {
  REQUIRE(sodium_init() >= 0);
  const std::string bytes = RandomBytes(5000, 1);
  for (size_t size = 0; size <= 1100; ++size) {
    std::string_view part(bytes.data(), size);
    Blake2b hash;
    hash.Update(part);
    INFO("size " << size);
    REQUIRE(hash.Peek() == Sodium(part));
  }
  for (size_t size : {2047u, 2048u, 2049u, 4096u, 5000u}) {
    Blake2b hash;
    hash.Update(bytes.substr(0, size));
    REQUIRE(hash.Peek() == Sodium(bytes.substr(0, size)));
  }
}

TEST_CASE("Blake2b: any cutting into Update calls, and Peek between them, give the same digest",
          "[backup]") {
  REQUIRE(sodium_init() >= 0);
  const std::string bytes = RandomBytes(3 << 20, 2);  // a few 1 MiB chunks, as the writer's
  std::mt19937 random(3);
  for (int trial = 0; trial < 40; ++trial) {
    // Small inputs cut finely, then megabytes cut as the writer's chunks are (a few calls).
    const bool small = trial < 30;
    size_t size = random() % (small ? 1200 : bytes.size());
    Blake2b hash;
    size_t at = 0;
    while (at < size) {
      size_t take = std::min<size_t>(size - at, random() % (small ? 300 : 1 << 20));
      hash.Update(std::string_view(bytes.data() + at, take));
      at += take;
      if (random() % 4 == 0) {
        // Peek goes on: the digest so far, then more bytes hashed.
        REQUIRE(hash.Peek() == Sodium(std::string_view(bytes.data(), at)));
      }
    }
    INFO("trial " << trial << ", size " << size);
    REQUIRE(hash.Peek() == Sodium(std::string_view(bytes.data(), size)));
    hash.Reset();
    hash.Update("abc");
    REQUIRE(hash.Peek() == Sodium("abc"));
  }
}

}  // namespace ferry::backup::blake2b_test
