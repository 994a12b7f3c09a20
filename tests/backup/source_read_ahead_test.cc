// SourceReadAhead (backup/source_read_ahead.h): the sources' chunks read, hashed and compressed
// by two threads (its helper and the caller's Next) come out in the files' order, each payload
// the zstd frame of its own chunk, whatever thread compressed it and however short the queue.
#include "backup/source_read_ahead.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "backup/blake2b.h"
#include "backup/chunk_codec.h"
#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::source_read_ahead_test {

namespace {

using testing::WriteBytes;

// Files of 0 to 9 chunks of 64 bytes (the last one short), each byte telling its file and
// place, so that a chunk given to the wrong file or place shows.
std::vector<SourceFileToRead> MakeFiles(const e2e::TempDir& dir, int count,
                                        std::vector<std::string>* contents) {
  std::vector<SourceFileToRead> files;
  for (int f = 0; f < count; ++f) {
    std::string bytes;
    for (int i = 0; i < (f * 37) % 600; ++i) bytes += static_cast<char>('!' + (f * 7 + i) % 90);
    std::string path = dir / ("f" + std::to_string(f));
    WriteBytes(path, bytes);
    files.push_back({path, path, "s/f" + std::to_string(f)});
    contents->push_back(bytes);
  }
  return files;
}

Hash HashOf(const std::string& bytes) {
  Blake2b hash;
  hash.Update(bytes);
  return hash.Peek();
}

}  // namespace

TEST_CASE("SourceReadAhead: chunks compressed on two threads come out in order, each its own",
          "[backup]") {
  e2e::TempDir dir;
  std::vector<std::string> contents;
  std::vector<SourceFileToRead> files = MakeFiles(dir, 60, &contents);
  for (size_t depth : {size_t{1}, size_t{2}, size_t{8}, size_t{64}}) {
    CAPTURE(depth);
    SourceReadAhead ahead(files, 64, ChunkCompressor::kDefaultLevel, depth);
    ChunkDecompressor decompressor;
    SourceReadAhead::Item item;
    size_t file = 0;
    std::string got;
    bool open = false;
    while (ahead.Next(&item)) {
      REQUIRE(item.file == file);
      switch (item.kind) {
        case SourceReadAhead::Item::Kind::kBegin:
          REQUIRE_FALSE(open);
          open = true;
          got.clear();
          break;
        case SourceReadAhead::Item::Kind::kData: {
          REQUIRE(open);
          REQUIRE(item.size > 0);
          REQUIRE(item.size <= 64);
          std::string_view raw;
          REQUIRE(decompressor.Decode(item.encoded(), 64, &raw).ok());
          REQUIRE(raw == item.chunk());
          got.append(item.chunk());
          ahead.Recycle(std::move(item.bytes));
          ahead.RecyclePayload(std::move(item.payload));
          break;
        }
        case SourceReadAhead::Item::Kind::kEnd:
          REQUIRE(open);
          REQUIRE(got == contents[file]);
          REQUIRE(item.size == contents[file].size());
          REQUIRE(item.hash == HashOf(contents[file]));
          open = false;
          ++file;
          break;
        case SourceReadAhead::Item::Kind::kError:
          FAIL(item.status.ToString());
      }
    }
    REQUIRE(file == files.size());
  }
}

TEST_CASE("SourceReadAhead: a consumer that stops early, or a file that cannot be read, ends it",
          "[backup]") {
  e2e::TempDir dir;
  std::vector<std::string> contents;
  std::vector<SourceFileToRead> files = MakeFiles(dir, 30, &contents);
  SECTION("stopped after a few items: the reader and the helper are joined, no hang") {
    SourceReadAhead ahead(files, 64, ChunkCompressor::kDefaultLevel, 2);
    SourceReadAhead::Item item;
    for (int i = 0; i < 5; ++i) REQUIRE(ahead.Next(&item));
  }
  SECTION("a missing file: the files before it whole, then its error, last") {
    files.insert(files.begin() + 10, {dir / "missing", dir / "missing", "s/missing"});
    SourceReadAhead ahead(files, 64, ChunkCompressor::kDefaultLevel, 3);
    SourceReadAhead::Item item;
    size_t ends = 0;
    bool error = false;
    while (ahead.Next(&item)) {
      REQUIRE_FALSE(error);  // the error is the last item
      if (item.kind == SourceReadAhead::Item::Kind::kEnd) ++ends;
      if (item.kind == SourceReadAhead::Item::Kind::kError) {
        error = true;
        REQUIRE(item.file == 10);
      }
    }
    REQUIRE(error);
    REQUIRE(ends == 10);
  }
}

}  // namespace ferry::backup::source_read_ahead_test
