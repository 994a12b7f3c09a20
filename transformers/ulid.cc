#include "transformers/ulid.h"

#include <pthread.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>

#include "base/fault_point.h"

namespace ferry {

namespace {

// GCC/Clang extension; 128 bits is exactly one ULID, which makes base32 a shift-and-mask loop.
__extension__ using Uint128 = unsigned __int128;

constexpr size_t kUlidTextLength = 26;
constexpr size_t kTimeBytes = 6;
constexpr size_t kRandomBytes = 10;
constexpr char kCrockfordAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Crockford decode table: -1 for characters that are not base32 (U included, as in ulid/spec).
struct DecodeTable {
  int8_t value[256];
  constexpr DecodeTable() : value() {
    for (int8_t& v : value) v = -1;
    for (int i = 0; i < 32; ++i) {
      const char c = kCrockfordAlphabet[i];
      value[static_cast<unsigned char>(c)] = static_cast<int8_t>(i);
      if (c >= 'A' && c <= 'Z') {
        value[static_cast<unsigned char>(c - 'A' + 'a')] = static_cast<int8_t>(i);
      }
    }
    value['I'] = value['i'] = value['L'] = value['l'] = 1;
    value['O'] = value['o'] = 0;
  }
};
constexpr DecodeTable kDecodeTable;

// Names a byte for an error message without echoing control characters to a terminal.
std::string DescribeChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

// Random bits come from libsodium in 4 KiB blocks, each the ChaCha20 stream of a fresh 256-bit
// seed from the kernel (randombytes_buf, then randombytes_buf_deterministic): randombytes_buf
// alone costs one getrandom(2) per call (~560 ns for 10 bytes), and even a 4 KiB getrandom
// costs ~58 ns per ULID on the kernels measured, against ~6 ns for seed + expansion.
constexpr size_t kRandomPoolSize = 4096;
struct RandomPool {
  unsigned char bytes[kRandomPoolSize];
  size_t used = kRandomPoolSize;  // everything consumed: refill on first use
};
thread_local RandomPool random_pool;

// Runs in the child after fork(), on the forking thread (the only one the child has): without
// it, parent and child would hand out the same bytes and so the same ULIDs.
void DiscardRandomPoolInChild() { random_pool.used = kRandomPoolSize; }

Status InitSodiumOnce() {
  // A function-local static is initialised once, thread-safely.
  static const bool initialised = [] {
    if (sodium_init() < 0) return false;
    pthread_atfork(nullptr, nullptr, &DiscardRandomPoolInChild);
    return true;
  }();
  if (!initialised) return Status::Internal("libsodium could not be initialised (sodium_init)");
  return Status::OK();
}

Status FillRandom(uint8_t* out, size_t n) {
  FERRY_RETURN_IF_ERROR(InitSodiumOnce());
  RandomPool& pool = random_pool;
  if (kRandomPoolSize - pool.used < n) {
    unsigned char seed[randombytes_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    randombytes_buf_deterministic(pool.bytes, kRandomPoolSize, seed);
    sodium_memzero(seed, sizeof seed);
    pool.used = 0;
  }
  std::memcpy(out, pool.bytes + pool.used, n);
  pool.used += n;
  return Status::OK();
}

Uint128 ToUint128(const Ulid& ulid) {
  Uint128 v = 0;
  for (uint8_t b : ulid.bytes) v = (v << 8) | b;
  return v;
}

}  // namespace

uint64_t Ulid::time_ms() const {
  uint64_t t = 0;
  for (size_t i = 0; i < kTimeBytes; ++i) t = (t << 8) | bytes[i];
  return t;
}

std::string EncodeUlid(const Ulid& ulid) {
  Uint128 v = ToUint128(ulid);
  std::string text(kUlidTextLength, '0');
  for (size_t i = kUlidTextLength; i-- > 0;) {
    text[i] = kCrockfordAlphabet[static_cast<unsigned>(v & 0x1f)];
    v >>= 5;
  }
  return text;
}

Result<Ulid> DecodeUlid(std::string_view text) {
  if (text.size() != kUlidTextLength) {
    return Status::InvalidArgument("a ULID has 26 characters, this one has " +
                                   std::to_string(text.size()));
  }
  Uint128 v = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int8_t digit = kDecodeTable.value[static_cast<unsigned char>(text[i])];
    if (digit < 0) {
      return Status::InvalidArgument("invalid character " + DescribeChar(text[i]) +
                                     " at position " + std::to_string(i + 1) +
                                     " (not Crockford base32)");
    }
    if (i == 0 && digit > 7) {
      return Status::InvalidArgument("first character " + DescribeChar(text[0]) +
                                     " is above '7': the value exceeds 128 bits");
    }
    v = (v << 5) | static_cast<unsigned>(digit);
  }
  Ulid ulid;
  for (size_t i = ulid.bytes.size(); i-- > 0;) {
    ulid.bytes[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return ulid;
}

UlidGenerator UlidGenerator::ContinuingAfter(const Ulid& last) {
  UlidGenerator generator;
  generator.has_last_ = true;
  generator.last_ = last;
  return generator;
}

Result<Ulid> UlidGenerator::Generate(uint64_t time_ms) {
  if (time_ms > kUlidMaxTime) {
    return Status::InvalidArgument("ULID time " + std::to_string(time_ms) +
                                   " ms is above the 48-bit maximum " +
                                   std::to_string(kUlidMaxTime));
  }
  if (has_last_ && last_.time_ms() == time_ms) {
    // Same millisecond: last + 1 in the 80 random bits, carrying from the last byte.
    Ulid next = last_;
    size_t i = next.bytes.size();
    while (i-- > kTimeBytes) {
      if (++next.bytes[i] != 0) break;
    }
    if (i < kTimeBytes) {  // every random byte wrapped: 2^80 ULIDs issued in this ms
      return Status::InvalidArgument("ULID randomness exhausted within millisecond " +
                                     std::to_string(time_ms) + " (monotonic overflow)");
    }
    last_ = next;
    return next;
  }
  Ulid ulid;
  for (size_t i = 0; i < kTimeBytes; ++i) {
    ulid.bytes[i] = static_cast<uint8_t>(time_ms >> (8 * (kTimeBytes - 1 - i)));
  }
  FERRY_RETURN_IF_ERROR(FillRandom(ulid.bytes.data() + kTimeBytes, kRandomBytes));
  has_last_ = true;
  last_ = ulid;
  return ulid;
}

uint64_t UlidGenerator::NowMillis() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() +
                     FaultClockOffsetMillis();
  uint64_t now = ms < 0 ? 0 : static_cast<uint64_t>(ms);
  // Never behind a time already returned: when the clock steps back (NTP, an operator), ULIDs
  // made from "now" keep their order, continuing within the last millisecond until the clock
  // has caught up (Generate then adds one to the last ULID of that millisecond).
  static std::atomic<uint64_t> latest{0};
  uint64_t seen = latest.load();
  while (now > seen && !latest.compare_exchange_weak(seen, now)) {
  }
  return std::max(now, seen);
}

}  // namespace ferry
