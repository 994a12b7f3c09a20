// ULIDs (github.com/ulid/spec): 48-bit big-endian millisecond time, 80 random bits,
// 26 characters of Crockford base32.
//
// UlidGenerator is monotonic within one millisecond (the next ULID of the same ms is the last
// one plus one; overflow of the 80 bits is an error, never a wrap) and takes its random bits
// from libsodium's CSPRNG. Its time is always the caller's: historical times arrive in any
// order, and a ULID's time is its own record's time — never clamped to the last one seen.
//
// Random bits are drawn in 4 KiB blocks held per thread, each block the ChaCha20 stream
// (randombytes_buf_deterministic) of a fresh 256-bit seed from randombytes_buf: one getrandom
// syscall per ~400 ULIDs instead of one per ULID. A forked child discards the block, so parent
// and child never share randomness.
//
// Thread safety: Encode/Decode are pure; a UlidGenerator is used by one thread at a time.
// Do not copy a generator to share it: two copies continue from the same last ULID.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ferry {

constexpr uint64_t kUlidMaxTime = (uint64_t{1} << 48) - 1;

struct Ulid {
  std::array<uint8_t, 16> bytes{};  // big-endian: 6 bytes time, 10 bytes randomness

  uint64_t time_ms() const;
  bool operator==(const Ulid&) const = default;
  auto operator<=>(const Ulid&) const = default;
};

// 26 uppercase Crockford base32 characters.
std::string EncodeUlid(const Ulid& ulid);

// Decodes 26 characters (case-insensitive; I/L read as 1 and O as 0, per Crockford).
// Fails naming the first bad character, a wrong length, or a first character above '7'
// (more than 128 bits).
Result<Ulid> DecodeUlid(std::string_view text);

class UlidGenerator {
 public:
  UlidGenerator() = default;

  // A generator that resumes after `last`: its next ULID at last.time_ms() is `last` plus one
  // (so monotonicity survives a restart when the last ULID issued is known).
  static UlidGenerator ContinuingAfter(const Ulid& last);

  // A new ULID whose time is `time_ms`. Fails when time_ms > kUlidMaxTime or when the
  // randomness of this millisecond is exhausted.
  Result<Ulid> Generate(uint64_t time_ms);

  // The current wall-clock time in milliseconds since the epoch, never behind a time it
  // returned before in this process: after the clock steps back it stays at the last time
  // until the clock catches up, so ULIDs made from "now" keep their order.
  static uint64_t NowMillis();

 private:
  bool has_last_ = false;
  Ulid last_;
};

}  // namespace ferry
