#include "transformers/ulid.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace ferry::ulid_test {
namespace {

Ulid MakeUlid(uint64_t time_ms, uint8_t random_fill) {
  Ulid ulid;
  for (int i = 0; i < 6; ++i) ulid.bytes[i] = static_cast<uint8_t>(time_ms >> (8 * (5 - i)));
  for (int i = 6; i < 16; ++i) ulid.bytes[i] = random_fill;
  return ulid;
}

TEST_CASE("EncodeUlid: spec example time encodes to its time prefix", "[transformers][ulid]") {
  const std::string text = EncodeUlid(MakeUlid(1469918176385, 0));
  CHECK(text == "01ARYZ6S410000000000000000");
}

TEST_CASE("DecodeUlid: spec example gives its time", "[transformers][ulid]") {
  Result<Ulid> ulid = DecodeUlid("01ARYZ6S41TSV4RRFFQ69G5FAV");
  REQUIRE(ulid.ok());
  CHECK(ulid->time_ms() == 1469918176385);
  CHECK(EncodeUlid(*ulid) == "01ARYZ6S41TSV4RRFFQ69G5FAV");
}

TEST_CASE("EncodeUlid: all zeros and all ones", "[transformers][ulid]") {
  CHECK(EncodeUlid(Ulid{}) == "00000000000000000000000000");
  Ulid max;
  max.bytes.fill(0xff);
  CHECK(EncodeUlid(max) == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  Result<Ulid> decoded = DecodeUlid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  REQUIRE(decoded.ok());
  CHECK(*decoded == max);
  CHECK(decoded->time_ms() == kUlidMaxTime);
}

TEST_CASE("DecodeUlid: round trip of generated ULIDs", "[transformers][ulid]") {
  UlidGenerator generator;
  for (uint64_t t : {uint64_t{0}, uint64_t{1}, uint64_t{1700000000000}, kUlidMaxTime}) {
    Result<Ulid> ulid = generator.Generate(t);
    REQUIRE(ulid.ok());
    CHECK(ulid->time_ms() == t);
    const std::string text = EncodeUlid(*ulid);
    CHECK(text.size() == 26);
    Result<Ulid> back = DecodeUlid(text);
    REQUIRE(back.ok());
    CHECK(*back == *ulid);
  }
}

TEST_CASE("DecodeUlid: lowercase and Crockford aliases I, L, O", "[transformers][ulid]") {
  Result<Ulid> lower = DecodeUlid("01aryz6s41tsv4rrffq69g5fav");
  REQUIRE(lower.ok());
  CHECK(EncodeUlid(*lower) == "01ARYZ6S41TSV4RRFFQ69G5FAV");
  Result<Ulid> aliases = DecodeUlid("OIL0000000ilo0000000000000");
  REQUIRE(aliases.ok());
  CHECK(EncodeUlid(*aliases) == "01100000001100000000000000");
}

TEST_CASE("DecodeUlid: wrong length is an error", "[transformers][ulid]") {
  for (std::string_view text : {"", "01ARYZ6S41TSV4RRFFQ69G5FA", "01ARYZ6S41TSV4RRFFQ69G5FAVX"}) {
    Result<Ulid> ulid = DecodeUlid(text);
    REQUIRE_FALSE(ulid.ok());
    CHECK(ulid.status().IsInvalidArgument());
    CHECK_THAT(ulid.status().message(), Catch::Contains("26 characters"));
  }
}

TEST_CASE("DecodeUlid: U is not Crockford base32 and is named", "[transformers][ulid]") {
  Result<Ulid> ulid = DecodeUlid("01ARYZ6S41TSV4RRFFQ69G5FAU");
  REQUIRE_FALSE(ulid.ok());
  CHECK_THAT(ulid.status().message(), Catch::Contains("'U'") && Catch::Contains("position 26"));
}

TEST_CASE("DecodeUlid: punctuation, hyphen, NUL and non-ASCII are errors", "[transformers][ulid]") {
  CHECK_FALSE(DecodeUlid("01ARYZ6S41-SV4RRFFQ69G5FAV").ok());
  CHECK_FALSE(DecodeUlid("01ARYZ6S41 SV4RRFFQ69G5FAV").ok());
  const std::string with_nul("01ARYZ6S41\0SV4RRFFQ69G5FAV", 26);
  Result<Ulid> nul = DecodeUlid(with_nul);
  REQUIRE_FALSE(nul.ok());
  CHECK_THAT(nul.status().message(), Catch::Contains("0x00") && Catch::Contains("position 11"));
  Result<Ulid> high = DecodeUlid("01ARYZ6S41\xc3SV4RRFFQ69G5FAV");
  REQUIRE_FALSE(high.ok());
  CHECK_THAT(high.status().message(), Catch::Contains("0xc3"));
}

TEST_CASE("DecodeUlid: first character above 7 overflows 128 bits", "[transformers][ulid]") {
  for (std::string_view text : {"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "Z0000000000000000000000000"}) {
    Result<Ulid> ulid = DecodeUlid(text);
    REQUIRE_FALSE(ulid.ok());
    CHECK_THAT(ulid.status().message(), Catch::Contains("exceeds 128 bits"));
  }
}

TEST_CASE("UlidGenerator: monotonic within one millisecond", "[transformers][ulid]") {
  UlidGenerator generator;
  Result<Ulid> previous = generator.Generate(1700000000000);
  REQUIRE(previous.ok());
  for (int i = 0; i < 1000; ++i) {
    Result<Ulid> next = generator.Generate(1700000000000);
    REQUIRE(next.ok());
    REQUIRE(*previous < *next);
    REQUIRE(EncodeUlid(*previous) < EncodeUlid(*next));
    REQUIRE(next->time_ms() == 1700000000000);
    previous = next;
  }
}

TEST_CASE("UlidGenerator: the next ULID of the same ms is the last plus one",
          "[transformers][ulid]") {
  Ulid last = MakeUlid(5000, 0x00);
  last.bytes[15] = 0xff;  // the increment must carry into byte 14
  UlidGenerator generator = UlidGenerator::ContinuingAfter(last);
  Result<Ulid> next = generator.Generate(5000);
  REQUIRE(next.ok());
  Ulid expected = MakeUlid(5000, 0x00);
  expected.bytes[14] = 0x01;
  CHECK(*next == expected);
}

TEST_CASE("UlidGenerator: overflow within one millisecond is an error", "[transformers][ulid]") {
  UlidGenerator generator = UlidGenerator::ContinuingAfter(MakeUlid(5000, 0xff));
  Result<Ulid> ulid = generator.Generate(5000);
  REQUIRE_FALSE(ulid.ok());
  CHECK_THAT(ulid.status().message(), Catch::Contains("exhausted"));
  // Never a wrap: asking again fails again rather than returning a smaller ULID.
  CHECK_FALSE(generator.Generate(5000).ok());
  // The next millisecond has fresh randomness.
  Result<Ulid> later = generator.Generate(5001);
  REQUIRE(later.ok());
  CHECK(later->time_ms() == 5001);
}

TEST_CASE("UlidGenerator: the time is the caller's, even going backwards", "[transformers][ulid]") {
  UlidGenerator generator;
  REQUIRE(generator.Generate(2000).ok());
  Result<Ulid> earlier = generator.Generate(1000);
  REQUIRE(earlier.ok());
  CHECK(earlier->time_ms() == 1000);
  CHECK(EncodeUlid(*earlier).substr(0, 10) == "00000000Z8");
}

TEST_CASE("UlidGenerator: time above 48 bits is an error", "[transformers][ulid]") {
  UlidGenerator generator;
  Result<Ulid> ulid = generator.Generate(kUlidMaxTime + 1);
  REQUIRE_FALSE(ulid.ok());
  CHECK(ulid.status().IsInvalidArgument());
  CHECK_FALSE(generator.Generate(UINT64_MAX).ok());
  CHECK(generator.Generate(kUlidMaxTime).ok());
}

TEST_CASE("UlidGenerator: distinct milliseconds get distinct randomness", "[transformers][ulid]") {
  // 10,000 ULIDs draw from several 4 KiB random blocks; any repeat of the 80 random bits
  // would mean the pool handed out the same bytes twice.
  UlidGenerator generator;
  std::set<std::string> randoms;
  for (uint64_t t = 0; t < 10000; ++t) {
    Result<Ulid> ulid = generator.Generate(t);
    REQUIRE(ulid.ok());
    randoms.insert(EncodeUlid(*ulid).substr(10));
  }
  CHECK(randoms.size() == 10000);
}

TEST_CASE("UlidGenerator: a forked child does not repeat the parent's randomness",
          "[transformers][ulid]") {
  UlidGenerator generator;
  REQUIRE(generator.Generate(1).ok());  // fills the pool in this thread
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    UlidGenerator child_generator;
    Result<Ulid> ulid = child_generator.Generate(2);
    const std::string text = ulid.ok() ? EncodeUlid(*ulid) : std::string(26, '!');
    ssize_t written = write(fds[1], text.data(), text.size());
    _exit(written == 26 ? 0 : 1);
  }
  close(fds[1]);
  char buffer[26];
  ssize_t got = 0;
  while (got < 26) {
    const ssize_t n = read(fds[0], buffer + got, 26 - static_cast<size_t>(got));
    if (n <= 0) break;
    got += n;
  }
  close(fds[0]);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  REQUIRE(got == 26);
  UlidGenerator parent_generator;
  Result<Ulid> parent = parent_generator.Generate(2);
  REQUIRE(parent.ok());
  CHECK(std::string(buffer, 26) != EncodeUlid(*parent));
}

TEST_CASE("UlidGenerator: NowMillis is after 2020", "[transformers][ulid]") {
  CHECK(UlidGenerator::NowMillis() > uint64_t{1577836800000});
  CHECK(UlidGenerator::NowMillis() <= kUlidMaxTime);
}

}  // namespace
}  // namespace ferry::ulid_test
