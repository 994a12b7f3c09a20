#include "backup/backup_writer.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>

#include "backup/blake2b.h"
#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::backup_writer_test {

namespace {

using testing::RandomKey;
using testing::ReadArchive;

// Collects what a reader hands out.
class Collector final : public BackupVisitor {
 public:
  Status OnFileBegin(const std::string& origin, const std::string& name) override {
    current = name;
    origins[name] = origin;
    files[name];
    return Status::OK();
  }
  Status OnFileData(std::string_view bytes) override {
    files[current].append(bytes);
    return Status::OK();
  }
  Status OnPreImage(std::string_view record) override {
    records.emplace_back(record);
    return Status::OK();
  }
  std::string current;
  std::map<std::string, std::string> files, origins;
  std::vector<std::string> records;
};

}  // namespace

TEST_CASE("BackupWriter: sources and pre-images read back exactly", "[backup]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "a.ferrybak", key);
  struct stat st {};
  REQUIRE(::stat((dir / "a.ferrybak").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Collector seen;
  ReadOutcome outcome;
  Status status = ReadArchive(dir / "a.ferrybak", key, &outcome, &seen);
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK(outcome.finished);
  CHECK(outcome.sources_complete);
  CHECK(outcome.files == 2);
  CHECK(outcome.pre_image_records == 3);
  CHECK(seen.files["src/a.txt"] == testing::ReadBytes(dir / "a.txt"));
  CHECK(seen.files["src/b.bin"] == testing::ReadBytes(dir / "b.bin"));
  CHECK(seen.origins["src/a.txt"] == dir / "a.txt");
  CHECK(seen.records == std::vector<std::string>{"row one", std::string(100, 'x'), "row three"});
}

TEST_CASE("BackupWriter: an empty file and a source tree with a link", "[backup]") {
  e2e::TempDir dir;
  std::filesystem::create_directories(dir / "tree/sub");
  testing::WriteBytes(dir / "tree/empty", "");
  testing::WriteBytes(dir / "tree/sub/data", std::string(5000, 'd'));
  std::filesystem::create_symlink("/etc/passwd", dir / "tree/link");
  KeyMaterial key = RandomKey();
  auto writer = BackupWriter::Create(dir / "t.ferrybak", key, {});
  REQUIRE(writer.ok());
  std::vector<std::string> skipped;
  REQUIRE((*writer)->AddSource(dir / "tree", &skipped).ok());
  CHECK(skipped == std::vector<std::string>{dir / "tree/link"});
  REQUIRE((*writer)->Finish().ok());
  Collector seen;
  REQUIRE(ReadArchive(dir / "t.ferrybak", key, nullptr, &seen).ok());
  CHECK(seen.files.size() == 2);
  CHECK(seen.files["tree/empty"].empty());
  CHECK(seen.files["tree/sub/data"] == std::string(5000, 'd'));
}

TEST_CASE("BackupWriter: an existing archive is never overwritten", "[backup]") {
  e2e::TempDir dir;
  testing::WriteBytes(dir / "x.ferrybak", "keep");
  auto writer = BackupWriter::Create(dir / "x.ferrybak", RandomKey(), {});
  CHECK_FALSE(writer.ok());
  CHECK(testing::ReadBytes(dir / "x.ferrybak") == "keep");
}

TEST_CASE("BackupWriter: a crash inside a pre-image section leaves the flushed part readable",
          "[backup][corrupt]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  testing::WriteBytes(dir / "s", "source bytes");
  BackupWriterOptions options;
  options.chunk_bytes = 32;
  {
    auto writer = BackupWriter::Create(dir / "c.ferrybak", key, options);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->AddSourceFile(dir / "s", dir / "s", "s").ok());
    REQUIRE((*writer)->EndSources().ok());
    REQUIRE((*writer)->BeginPreImages().ok());
    REQUIRE((*writer)->AppendPreImage("before the first batch").ok());
    REQUIRE((*writer)->Flush().ok());
    REQUIRE((*writer)->AppendPreImage("never flushed").ok());
    // The writer goes away without Finish: what a killed process leaves.
  }
  Collector seen;
  ReadOutcome outcome;
  Status status = ReadArchive(dir / "c.ferrybak", key, &outcome, &seen);
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("segment 1 (pre-images) is cut"));
  CHECK(outcome.sources_complete);
  CHECK(seen.files["s"] == "source bytes");
  CHECK(seen.records == std::vector<std::string>{"before the first batch"});
  CHECK(outcome.pre_image_records == 1);
  CHECK_FALSE(outcome.finished);
}

TEST_CASE("BackupWriter: a passphrase archive records its KDF parameters, not the key",
          "[backup]") {
  e2e::TempDir dir;
  ::setenv("FERRY_BACKUP_KDF", "min", 1);
  auto writer = BackupWriter::Create(dir / "p.ferrybak", testing::Passphrase("correct horse"), {});
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Finish().ok());
  std::string bytes = testing::ReadBytes(dir / "p.ferrybak");
  CHECK(bytes.find("correct horse") == std::string::npos);
  auto info = PeekArchive(dir / "p.ferrybak");
  REQUIRE(info.ok());
  CHECK(info->header.key_kind == KeyKind::kPassphrase);
  CHECK(info->header.opslimit == crypto_pwhash_OPSLIMIT_MIN);
  CHECK(info->finished);
  CHECK(ReadArchive(dir / "p.ferrybak", testing::Passphrase("correct horse")).ok());
}

}  // namespace ferry::backup::backup_writer_test

namespace ferry::backup::backup_writer_test {

// A resumed run's archive: the sources listed from the run's first archive (ReadSourcesListing,
// no chunk decompressed), none of their bytes, the first archive named.
TEST_CASE("BackupWriter: an archive listing the sources another archive holds", "[backup]") {
  e2e::TempDir dir;
  KeyMaterial key = RandomKey();
  testing::WriteSmallArchive(dir.path().string(), dir / "a.ferrybak", key);
  auto reader = BackupReader::Open(dir / "a.ferrybak", key);
  REQUIRE(reader.ok());
  SourcesListing listing;
  REQUIRE((*reader)->ReadSourcesListing(&listing).ok());
  REQUIRE(listing.files.size() == 2);
  CHECK(listing.files[0].origin == dir / "a.txt");
  CHECK(listing.files[0].name == "src/a.txt");
  CHECK(listing.files[0].size == testing::ReadBytes(dir / "a.txt").size());
  Blake2b hash;
  hash.Update(testing::ReadBytes(dir / "b.bin"));
  CHECK(listing.files[1].hash == hash.Peek());
  CHECK(listing.sources_in.empty());

  auto writer = BackupWriter::Create(dir / "b.ferrybak", key, {});
  REQUIRE(writer.ok());
  REQUIRE((*writer)->ReferSources({dir / "src"}, "a", listing.files).ok());
  REQUIRE((*writer)->EndSources().ok());
  REQUIRE((*writer)->Finish().ok());
  Collector seen;
  ReadOutcome listed, held;
  REQUIRE(ReadArchive(dir / "b.ferrybak", key, &listed, &seen).ok());
  REQUIRE(ReadArchive(dir / "a.ferrybak", key, &held, nullptr).ok());
  CHECK(seen.files.empty());  // no source byte
  CHECK(listed.sources_complete);
  CHECK(listed.sources_in == "a");
  CHECK(listed.files == 2);
  CHECK(listed.source_bytes == held.source_bytes);
  CHECK(listed.manifest_hash == held.manifest_hash);
  CHECK(held.sources_in.empty());
  CHECK(testing::ReadBytes(dir / "b.ferrybak").size() < 1000);

  // The summary names the holder under its MAC: an altered name is refused.
  std::string bytes = testing::ReadBytes(dir / "b.ferrybak");
  // The summary frame: type 2, 62 bytes (u32 files, u64 bytes, 16 set, u8 1, "a", 32 MAC).
  size_t at = bytes.find(std::string("\x02\x3e\x00\x00\x00", 5));
  REQUIRE(at != std::string::npos);
  REQUIRE(bytes[at + 5 + 4 + 8 + 16 + 1] == 'a');
  bytes[at + 5 + 4 + 8 + 16 + 1] = 'c';
  testing::WriteBytes(dir / "c.ferrybak", bytes);
  ReadOutcome altered;
  Status status = ReadArchive(dir / "c.ferrybak", key, &altered, nullptr);
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("summary") && Catch::Contains("MAC"));
}

}  // namespace ferry::backup::backup_writer_test
