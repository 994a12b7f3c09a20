#include "backup/backup_writer.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>

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
