#include "backup/restore.h"

#include <catch2/catch.hpp>

#include "backup/backup_writer.h"
#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::restore_test {

namespace {

// An archive of one file stored under the entry `name`, origin `origin`.
void WriteOneEntry(const std::string& path, const KeyMaterial& key, const std::string& source,
                   const std::string& origin, const std::string& name) {
  auto writer = BackupWriter::Create(path, key, {});
  REQUIRE(writer.ok());
  REQUIRE((*writer)->AddSourceFile(source, origin, name).ok());
  REQUIRE((*writer)->Finish().ok());
}

}  // namespace

TEST_CASE("IsSafeEntryName: only clean relative names", "[backup]") {
  CHECK(IsSafeEntryName("a"));
  CHECK(IsSafeEntryName("Default/Local Storage/leveldb/000003.log"));
  CHECK_FALSE(IsSafeEntryName(""));
  CHECK_FALSE(IsSafeEntryName("/etc/passwd"));
  CHECK_FALSE(IsSafeEntryName("../x"));
  CHECK_FALSE(IsSafeEntryName("a/../../x"));
  CHECK_FALSE(IsSafeEntryName("a/./x"));
  CHECK_FALSE(IsSafeEntryName("a//x"));
  CHECK_FALSE(IsSafeEntryName("a/"));
}

TEST_CASE("RestoreArchive: in place, and under --to", "[backup]") {
  e2e::TempDir dir;
  KeyMaterial key = testing::RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "a.ferrybak", key);
  std::string a = testing::ReadBytes(dir / "a.txt");
  RestoreOutcome outcome;
  CHECK(RestoreArchive(dir / "a.ferrybak", key, {}, &outcome).IsInvalidArgument());  // exists
  CHECK(outcome.written.empty());
  std::filesystem::remove(dir / "a.txt");
  std::filesystem::remove(dir / "b.bin");
  REQUIRE(RestoreArchive(dir / "a.ferrybak", key, {}, &outcome).ok());
  CHECK(testing::ReadBytes(dir / "a.txt") == a);
  CHECK(outcome.written.size() == 2);
  RestoreOutcome to;
  REQUIRE(RestoreArchive(dir / "a.ferrybak", key, {dir / "out", false}, &to).ok());
  CHECK(testing::ReadBytes(dir / "out/src/a.txt") == a);
  testing::WriteBytes(dir / "out/src/a.txt", "changed");
  CHECK(RestoreArchive(dir / "a.ferrybak", key, {dir / "out", false}, &to).IsInvalidArgument());
  CHECK(testing::ReadBytes(dir / "out/src/a.txt") == "changed");
  REQUIRE(RestoreArchive(dir / "a.ferrybak", key, {dir / "out", true}, &to).ok());
  CHECK(testing::ReadBytes(dir / "out/src/a.txt") == a);
}

TEST_CASE("RestoreArchive: entries that would escape --to are refused", "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = testing::RandomKey();
  testing::WriteBytes(dir / "s", "payload");
  std::filesystem::create_directories(dir / "out");
  for (std::string name : {"../escaped", "/tmp/absolute", "a/../../escaped"}) {
    std::string archive = dir / "evil.ferrybak";
    std::filesystem::remove(archive);
    WriteOneEntry(archive, key, dir / "s", dir / "s", name);
    RestoreOutcome outcome;
    Status status = RestoreArchive(archive, key, {dir / "out", true}, &outcome);
    INFO(name << ": " << status.ToString());
    CHECK(status.IsInvalidArgument());
    CHECK(outcome.written.empty());
  }
  CHECK_FALSE(std::filesystem::exists(dir / "escaped"));
  // A link inside --to on the way to an entry is not followed.
  std::filesystem::create_directories(dir / "elsewhere");
  std::filesystem::create_symlink(dir / "elsewhere", dir / "out/via");
  std::filesystem::remove(dir / "evil.ferrybak");
  WriteOneEntry(dir / "evil.ferrybak", key, dir / "s", dir / "s", "via/file");
  RestoreOutcome outcome;
  Status status = RestoreArchive(dir / "evil.ferrybak", key, {dir / "out", true}, &outcome);
  CHECK(status.IsInvalidArgument());
  CHECK_THAT(status.message(), Catch::Contains("link"));
  CHECK_FALSE(std::filesystem::exists(dir / "elsewhere/file"));
  // A link at the entry itself is replaced (with --force), never written through.
  std::filesystem::create_symlink(dir / "elsewhere/target", dir / "out/direct");
  std::filesystem::remove(dir / "evil.ferrybak");
  WriteOneEntry(dir / "evil.ferrybak", key, dir / "s", dir / "s", "direct");
  REQUIRE(RestoreArchive(dir / "evil.ferrybak", key, {dir / "out", true}, &outcome).ok());
  CHECK_FALSE(std::filesystem::exists(dir / "elsewhere/target"));
  CHECK_FALSE(std::filesystem::is_symlink(dir / "out/direct"));
  CHECK(testing::ReadBytes(dir / "out/direct") == "payload");
}

TEST_CASE("RestoreArchive: a damaged archive writes nothing", "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = testing::RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "a.ferrybak", key);
  std::string bytes = testing::ReadBytes(dir / "a.ferrybak");
  std::vector<testing::FrameSpan> frames = testing::MapFrames(bytes);
  // The last data chunk of the second file: the first file would be complete before it.
  size_t victim = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].type == FrameType::kFileData) victim = i;
    if (frames[i].type == FrameType::kManifest) break;
  }
  bytes[frames[victim].end - 1] ^= 1;
  testing::WriteBytes(dir / "a.ferrybak", bytes);
  RestoreOutcome outcome;
  Status status = RestoreArchive(dir / "a.ferrybak", key, {dir / "out", false}, &outcome);
  CHECK(status.IsCorruption());
  CHECK(outcome.written.empty());
  CHECK_FALSE(std::filesystem::exists(dir / "out/src/a.txt"));
}

TEST_CASE("RestoreArchive: a cut pre-image tail still gives the sources back", "[backup]") {
  e2e::TempDir dir;
  KeyMaterial key = testing::RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "a.ferrybak", key);
  std::string bytes = testing::ReadBytes(dir / "a.ferrybak");
  testing::WriteBytes(dir / "a.ferrybak", bytes.substr(0, bytes.size() - 10));
  RestoreOutcome outcome;
  REQUIRE(RestoreArchive(dir / "a.ferrybak", key, {dir / "out", false}, &outcome).ok());
  CHECK(outcome.written.size() == 2);
  CHECK_THAT(outcome.warning, Catch::Contains("cut"));
}

}  // namespace ferry::backup::restore_test
