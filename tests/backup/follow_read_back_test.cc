// The read-back of a migrate's sources on a second thread while they are written
// (agent/run/sources_backup.cc): a reader following the writer (WrittenBytes) verifies every
// chunk against the bytes the writer hashed (ReadBackReference), and refuses any that differ.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "backup/read_back_reference.h"
#include "backup/written_bytes.h"
#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::follow_read_back_test {

namespace {

using testing::RandomKey;
using testing::ReadArchive;
using testing::ReadBytes;
using testing::WriteBytes;

// Collects each file's bytes.
class Files final : public BackupVisitor {
 public:
  Status OnFileBegin(const std::string&, const std::string& name) override {
    current = name;
    bytes[name];
    return Status::OK();
  }
  Status OnFileData(std::string_view data) override {
    bytes[current].append(data);
    return Status::OK();
  }
  std::string current;
  std::map<std::string, std::string> bytes;
};

// Two files of 64-byte chunks: "a" of 4 chunks (items 0-3, its end item 4), "b" of one.
void WriteTwoFiles(const std::string& dir) {
  std::string a;
  for (int i = 0; i < 200; ++i) a += static_cast<char>('a' + i % 26);
  WriteBytes(dir + "/a", a);
  WriteBytes(dir + "/b", "the whole of b");
}

// The archive of WriteTwoFiles' files, written in one go (no reader following).
void WriteArchive(const std::string& dir, const std::string& path, const KeyMaterial& key) {
  BackupWriterOptions options;
  options.chunk_bytes = 64;
  auto writer = BackupWriter::Create(path, key, options);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->AddSourceFile(dir + "/a", dir + "/a", "s/a").ok());
  REQUIRE((*writer)->AddSourceFile(dir + "/b", dir + "/b", "s/b").ok());
  REQUIRE((*writer)->Finish().ok());
}

// What the writer of WriteArchive hands a following reader, with `edit` applied to it.
void FillReference(const std::string& dir, ReadBackReference* reference,
                   const std::function<void(std::vector<ReadBackReference::Item>*)>& edit) {
  std::vector<ReadBackReference::Item> items;
  for (const char* name : {"a", "b"}) {
    std::string bytes = ReadBytes(dir + "/" + name);
    for (size_t at = 0; at < bytes.size(); at += 64) {
      ReadBackReference::Item chunk;
      chunk.bytes = bytes.substr(at, 64);
      chunk.size = chunk.bytes.size();
      items.push_back(chunk);
    }
    Blake2b hash;
    hash.Update(bytes);
    ReadBackReference::Item end;
    end.end = true;
    end.size = bytes.size();
    end.hash = hash.Peek();
    items.push_back(end);
  }
  edit(&items);
  for (ReadBackReference::Item& item : items) {
    if (item.end) {
      reference->PushEnd(item.size, item.hash);
    } else {
      reference->PushChunk(std::move(item.bytes), item.size);
    }
  }
  reference->Close();
}

Status ReadWithReference(const std::string& path, const KeyMaterial& key,
                         ReadBackReference* reference, ReadOutcome* outcome) {
  auto reader = BackupReader::OpenFollowing(path, key, nullptr, reference);
  if (!reader.ok()) return reader.status();
  return (*reader)->Read(nullptr, outcome);
}

}  // namespace

TEST_CASE("BackupReader: following its writer on another thread, the sources verify as written",
          "[backup]") {
  e2e::TempDir dir;
  const std::filesystem::path src = dir / "src";
  std::filesystem::create_directories(src / "deep");
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 40; ++i) {  // files of 0 to ~5 chunks: the read-ahead runs across them
    std::string name = (i % 3 == 0 ? "deep/f" : "f") + std::to_string(i);
    std::string bytes;
    for (int j = 0; j < i * 9; ++j) bytes += std::to_string(i * j) + ";";
    WriteBytes((src / name).string(), bytes);
    expected["src/" + name] = bytes;
  }
  KeyMaterial key = RandomKey();
  const std::string path = dir / "f.ferrybak";
  WrittenBytes written;
  ReadBackReference reference(4);  // a short queue: the writer waits for the reader often
  BackupWriterOptions options;
  options.chunk_bytes = 64;
  options.written = &written;
  options.reference = &reference;
  auto writer = BackupWriter::Create(path, key, options);
  REQUIRE(writer.ok());
  auto reader = BackupReader::OpenFollowing(path, key, &written, &reference);
  REQUIRE(reader.ok());
  ReadOutcome outcome;
  Status read;
  std::thread follower([&] {
    read = (*reader)->Read(nullptr, &outcome);
    reference.Abandon();
  });
  std::vector<std::string> skipped;
  Status wrote = (*writer)->AddSource(src.string(), &skipped);
  if (wrote.ok()) wrote = (*writer)->EndSources();
  written.Publish((*writer)->size());
  written.Close();
  reference.Close();
  follower.join();
  REQUIRE(wrote.ok());
  // Unfinished (no end segment yet), as a migrate's archive is when its run begins.
  CHECK_THAT(read.ToString(), Catch::Contains("no end segment"));
  CHECK(outcome.sources_complete);
  CHECK(outcome.files == expected.size());
  // The archive the pipeline wrote gives back every file byte-exact to a plain reader.
  REQUIRE((*writer)->Finish().ok());
  Files files;
  Status again = ReadArchive(path, key, nullptr, &files);
  INFO(again.ToString());
  REQUIRE(again.ok());
  CHECK(files.bytes == expected);
}

TEST_CASE("BackupReader: a source chunk or file end that differs from the writer's is refused",
          "[backup][corrupt]") {
  e2e::TempDir dir;
  WriteTwoFiles(dir.path().string());
  KeyMaterial key = RandomKey();
  const std::string path = dir / "t.ferrybak";
  WriteArchive(dir.path().string(), path, key);
  ReadOutcome outcome;
  {
    ReadBackReference same(100);
    FillReference(dir.path().string(), &same, [](auto*) {});
    Status status = ReadWithReference(path, key, &same, &outcome);
    INFO(status.ToString());
    CHECK(status.ok());
    CHECK(outcome.sources_complete);
  }
  struct Case {
    const char* what;
    std::function<void(std::vector<ReadBackReference::Item>*)> edit;
    const char* message;
  };
  std::vector<Case> cases = {
      {"a byte of the second chunk", [](auto* items) { (*items)[1].bytes[5] ^= 1; },
       "does not read back as the bytes written"},
      {"the first file's checksum", [](auto* items) { (*items)[4].hash[0] ^= 1; },
       "the checksum of the file does not match"},
      {"the first file's size", [](auto* items) { (*items)[4].size += 1; },
       "does not read back as written"},
      {"a chunk missing", [](auto* items) { items->erase(items->begin() + 2); }, "read back"},
      {"the writer stopped early", [](auto* items) { items->resize(5); },
       "does not read back as the bytes written"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    ReadBackReference reference(100);
    FillReference(dir.path().string(), &reference, c.edit);
    Status status = ReadWithReference(path, key, &reference, &outcome);
    CHECK(status.IsCorruption());
    CHECK_THAT(status.ToString(), Catch::Contains(c.message));
    CHECK_FALSE(outcome.sources_complete);
  }
}

TEST_CASE("BackupWriter: a source that cannot be read fails the archive, not a hang", "[backup]") {
  e2e::TempDir dir;
  WriteTwoFiles(dir.path().string());
  BackupWriterOptions options;
  options.chunk_bytes = 64;
  auto writer = BackupWriter::Create(dir / "x.ferrybak", RandomKey(), options);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->AddSourceFile(dir / "a", dir / "a", "s/a").ok());
  Status missing = (*writer)->AddSourceFile(dir / "gone", dir / "gone", "s/gone");
  CHECK(missing.IsIOError());
  CHECK_THAT(missing.ToString(), Catch::Contains("gone"));
}

}  // namespace ferry::backup::follow_read_back_test
