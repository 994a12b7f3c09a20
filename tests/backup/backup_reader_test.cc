#include "backup/backup_reader.h"

#include <zstd.h>

#include <catch2/catch.hpp>

#include "backup/chunk_codec.h"
#include "backup/sealed_stream.h"
#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::backup_reader_test {

namespace {

using testing::FrameSpan;
using testing::RandomKey;
using testing::ReadArchive;

// True when `message` names "chunk N" (and not chunk N0, N1, ...).
bool NamesChunk(const std::string& message, uint64_t chunk) {
  std::string needle = "chunk " + std::to_string(chunk);
  for (size_t at = message.find(needle); at != std::string::npos;
       at = message.find(needle, at + 1)) {
    size_t after = at + needle.size();
    if (after == message.size() || !std::isdigit(static_cast<unsigned char>(message[after]))) {
      return true;
    }
  }
  return false;
}

const FrameSpan* FrameAt(const std::vector<FrameSpan>& frames, size_t offset) {
  for (const FrameSpan& frame : frames) {
    if (offset >= frame.begin && offset < frame.end) return &frame;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("BackupReader: flipping any byte is detected and the part is named",
          "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "good", key);
  std::string good = testing::ReadBytes(dir / "good");
  REQUIRE(ReadArchive(dir / "good", key).ok());
  size_t header_length = testing::HeaderLength(good);
  std::vector<FrameSpan> frames = testing::MapFrames(good);
  REQUIRE(frames.size() > 15);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    testing::WriteBytes(dir / "bad", bad);
    Status status = ReadArchive(dir / "bad", key);
    INFO("byte " << i << ": " << status.ToString());
    REQUIRE_FALSE(status.ok());
    const std::string& message = status.message();
    if (i < header_length) {
      CHECK_THAT(message, Catch::Contains("header"));
      continue;
    }
    const FrameSpan* frame = FrameAt(frames, i);
    REQUIRE(frame != nullptr);
    if (i == frame->begin && NamesChunk(message, frame->chunk)) {
      continue;  // its type byte: read as another kind of frame, at that place
    }
    if (frame->type == FrameType::kSummary) {
      CHECK_THAT(message, Catch::Contains("summary"));
    } else if (frame->type == FrameType::kSegmentStart) {
      // Its kind and index are checked there; its stream header by the segment's first chunk.
      CHECK((message.find("segment") != std::string::npos || NamesChunk(message, frame->chunk)));
    } else {
      CHECK(NamesChunk(message, frame->chunk));
      if (frame->type == FrameType::kManifest && i >= frame->begin + kFrameHeaderBytes) {
        CHECK_THAT(message, Catch::Contains("manifest"));
      }
    }
  }
}

TEST_CASE("BackupReader: an archive cut anywhere is detected", "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "good", key);
  std::string good = testing::ReadBytes(dir / "good");
  std::vector<FrameSpan> frames = testing::MapFrames(good);
  SECTION("at every chunk boundary") {
    for (const FrameSpan& frame : frames) {
      if (frame.end == good.size()) continue;
      testing::WriteBytes(dir / "cut", good.substr(0, frame.end));
      Status status = ReadArchive(dir / "cut", key);
      INFO("cut at " << frame.end << ": " << status.ToString());
      CHECK(status.IsCorruption());
      CHECK((status.message().find("cut") != std::string::npos ||
             status.message().find("no end segment") != std::string::npos));
    }
  }
  SECTION("at every byte") {
    for (size_t length = 0; length < good.size(); ++length) {
      testing::WriteBytes(dir / "cut", good.substr(0, length));
      Status status = ReadArchive(dir / "cut", key);
      INFO("cut at " << length << ": " << status.ToString());
      CHECK_FALSE(status.ok());
    }
  }
}

TEST_CASE("BackupReader: two chunks swapped are detected", "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "good", key);
  std::string good = testing::ReadBytes(dir / "good");
  std::vector<FrameSpan> frames = testing::MapFrames(good);
  // Two data chunks of the first file, next to each other.
  size_t first = 0;
  while (frames[first].type != FrameType::kFileData) ++first;
  const FrameSpan& a = frames[first];
  const FrameSpan& b = frames[first + 1];
  REQUIRE(b.type == FrameType::kFileData);
  std::string swapped = good.substr(0, a.begin) + good.substr(b.begin, b.end - b.begin) +
                        good.substr(a.begin, a.end - a.begin) + good.substr(b.end);
  testing::WriteBytes(dir / "swapped", swapped);
  Status status = ReadArchive(dir / "swapped", key);
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("chunk " + std::to_string(a.chunk)));
  CHECK_THAT(status.message(), Catch::Contains("fails authentication"));
}

TEST_CASE("BackupReader: a wrong key or passphrase is refused at the header", "[backup]") {
  e2e::TempDir dir;
  ::setenv("FERRY_BACKUP_KDF", "min", 1);
  testing::WriteSmallArchive(dir.path().string(), dir / "k", RandomKey());
  Status status = ReadArchive(dir / "k", RandomKey());
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("header: the key does not open this archive"));
  CHECK(ReadArchive(dir / "k", testing::Passphrase("k")).IsInvalidArgument());

  testing::WriteSmallArchive(dir.path().string(), dir / "p", testing::Passphrase("right"));
  CHECK(ReadArchive(dir / "p", testing::Passphrase("right")).ok());
  status = ReadArchive(dir / "p", testing::Passphrase("wrong"));
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("wrong passphrase or key"));
  CHECK(ReadArchive(dir / "p", RandomKey()).IsInvalidArgument());
}

// Builds, with the archive's own key, a one-file archive whose only data chunk is `payload`:
// what an attacker holding the key (or a bug) could write.
std::string ForgeArchive(const KeyMaterial& key, const std::string& payload) {
  ArchiveHeader header;
  header.chunk_bytes = 1024;
  randombytes_buf(header.archive_id.data(), header.archive_id.size());
  auto keys = DeriveArchiveKeys(key, header);
  REQUIRE(keys.ok());
  std::string body = EncodeHeaderBody(header);
  header.mac = ComputeMac(keys->mac_key, body);
  ByteWriter out;
  out.Bytes(body);
  out.Bytes(header.mac.data(), header.mac.size());
  std::array<uint8_t, kStreamHeaderBytes> stream_header{};
  StreamSealer sealer(keys->stream_key, &stream_header);
  ByteWriter start;
  start.U8(static_cast<uint8_t>(SegmentKind::kSources));
  start.U32(0);
  start.Bytes(stream_header.data(), stream_header.size());
  auto frame = [&out](FrameType type, const std::string& bytes) {
    out.U8(static_cast<uint8_t>(type));
    out.U32(static_cast<uint32_t>(bytes.size()));
    out.Bytes(bytes);
  };
  auto sealed = [&](FrameType type, const std::string& plain) {
    ByteWriter ad;
    ad.Bytes(header.mac.data(), header.mac.size());
    ad.U32(0);
    ad.U8(static_cast<uint8_t>(SegmentKind::kSources));
    ad.U8(static_cast<uint8_t>(type));
    frame(type, sealer.Seal(plain, ad.str(), false));
  };
  frame(FrameType::kSegmentStart, start.str());
  ByteWriter begin;
  begin.Str16("/tmp/bomb");
  begin.Str16("bomb");
  sealed(FrameType::kFileBegin, begin.str());
  sealed(FrameType::kFileData, payload);
  return std::move(out.str());
}

TEST_CASE("BackupReader: a chunk that decompresses past its declared size is stopped",
          "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  std::string big(4 * 1024 * 1024, 'z');  // 4 MiB of one byte: ~150 bytes compressed
  SECTION("the zstd frame states its size") {
    ChunkCompressor compressor;
    testing::WriteBytes(dir / "bomb",
                        ForgeArchive(key, std::string(compressor.EncodeDeclaring(big, 100))));
    Status status = ReadArchive(dir / "bomb", key);
    CHECK(status.IsCorruption());
    CHECK_THAT(status.message(), Catch::Contains("chunk 1 (file data)"));
  }
  SECTION("the zstd frame does not state its size") {
    ZSTD_CCtx* ctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(ctx, ZSTD_c_contentSizeFlag, 0);
    std::string frame(ZSTD_compressBound(big.size()), '\0');
    size_t n = ZSTD_compress2(ctx, frame.data(), frame.size(), big.data(), big.size());
    ZSTD_freeCCtx(ctx);
    REQUIRE_FALSE(ZSTD_isError(n));
    frame.resize(n);
    ByteWriter payload;
    payload.U32(100);
    payload.Bytes(frame);
    testing::WriteBytes(dir / "bomb", ForgeArchive(key, payload.str()));
    Status status = ReadArchive(dir / "bomb", key);
    CHECK(status.IsCorruption());
    CHECK_THAT(status.message(), Catch::Contains("chunk 1 (file data)"));
    CHECK_THAT(status.message(), Catch::Contains("decompression stopped"));
  }
  SECTION("the chunk declares more than the archive's bound") {
    ChunkCompressor compressor;
    testing::WriteBytes(dir / "bomb",
                        ForgeArchive(key, std::string(compressor.Encode(std::string(2000, 'a')))));
    Status status = ReadArchive(dir / "bomb", key);
    CHECK(status.IsCorruption());
    CHECK_THAT(status.message(), Catch::Contains("over the archive's chunk bound"));
  }
}

TEST_CASE("BackupReader: a forged header with huge KDF parameters is refused before work",
          "[backup][corrupt]") {
  ArchiveHeader header;
  header.key_kind = KeyKind::kPassphrase;
  header.opslimit = 3;
  header.memlimit = uint64_t{64} << 30;
  std::string bytes = EncodeHeaderBody(header) + std::string(kMacBytes, '\0');
  size_t consumed = 0;
  auto parsed = ParseHeader(bytes, &consumed);
  CHECK(parsed.status().IsCorruption());
  CHECK_THAT(parsed.status().message(), Catch::Contains("header: KDF parameters out of bounds"));
}

}  // namespace ferry::backup::backup_reader_test
