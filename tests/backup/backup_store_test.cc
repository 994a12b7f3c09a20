#include "backup/backup_store.h"

#include <catch2/catch.hpp>

#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::backup_store_test {

namespace {

// An archive of `source` in `dir` under `id`, finished or not.
void Archive(const std::string& dir, const std::string& id, const std::string& source,
             bool finish = true) {
  auto writer = BackupWriter::Create(dir + "/" + id + ".ferrybak", testing::RandomKey(), {});
  REQUIRE(writer.ok());
  std::vector<std::string> skipped;
  REQUIRE((*writer)->AddSource(source, &skipped).ok());
  REQUIRE((*writer)->EndSources().ok());
  if (finish) REQUIRE((*writer)->Finish().ok());
}

// An archive in `dir` under `id` that lists the files of archive `holder` (of `source`), as a
// resumed run's does.
void Lister(const std::string& dir, const std::string& id, const std::string& holder,
            const std::string& source, const KeyMaterial& key) {
  auto reader = BackupReader::Open(dir + "/" + holder + ".ferrybak", key);
  REQUIRE(reader.ok());
  SourcesListing listing;
  REQUIRE((*reader)->ReadSourcesListing(&listing).ok());
  auto writer = BackupWriter::Create(dir + "/" + id + ".ferrybak", key, {});
  REQUIRE(writer.ok());
  REQUIRE((*writer)->ReferSources({source}, holder, listing.files).ok());
  REQUIRE((*writer)->EndSources().ok());
  REQUIRE((*writer)->Finish().ok());
}

}  // namespace

TEST_CASE("ArchivePath: ids cannot name another folder", "[backup]") {
  CHECK(*ArchivePath("/b", "20261206T115014Z-a1b2c3") == "/b/20261206T115014Z-a1b2c3.ferrybak");
  CHECK(ArchivePath("/b", "..").status().IsInvalidArgument());
  CHECK(ArchivePath("/b", "").status().IsInvalidArgument());
  CHECK(*ArchivePath("/b", "./x.ferrybak") == "./x.ferrybak");
  CHECK(NewArchiveId({}).rfind("19700101T000000000Z-", 0) == 0);
}

TEST_CASE("NewArchiveId: two ids made in one second sort in the order they were made", "[backup]") {
  using std::chrono::milliseconds;
  std::chrono::system_clock::time_point second{std::chrono::seconds(1796600000)};
  // The random part decides nothing: the earlier id sorts first every time.
  for (int i = 0; i < 64; ++i) {
    std::string earlier = NewArchiveId(second + milliseconds(1));
    std::string later = NewArchiveId(second + milliseconds(2));
    CHECK(earlier < later);
  }
  CHECK(NewArchiveId(second + milliseconds(999)) < NewArchiveId(second + milliseconds(1000)));
  CHECK(NewArchiveId(second + milliseconds(7)).find("007Z-") != std::string::npos);
}

TEST_CASE("PlanPrune: a run's only way back is kept unless rolled back or superseded", "[backup]") {
  e2e::TempDir dir;
  testing::WriteBytes(dir / "one", "1");
  testing::WriteBytes(dir / "two", "2");
  std::string store = dir / "store";
  REQUIRE(EnsureBackupDir(store).ok());
  Archive(store, "A1", dir / "one");
  Archive(store, "A2", dir / "one", /*finish=*/false);  // a crashed run: supersedes nothing
  Archive(store, "B1", dir / "two");
  Archive(store, "B2", dir / "two");
  Archive(store, "C1", dir / "one");
  auto archives = ListArchives(store);
  REQUIRE(archives.ok());
  REQUIRE(archives->size() == 5);
  CHECK_FALSE((*archives)[1].info.finished);
  std::time_t later = std::time(nullptr) + 10 * 86400;
  // Nothing is older than 30 days.
  CHECK(PlanPrune(*archives, 30, later, true).empty());
  std::map<std::string, bool> removed;
  for (const PruneDecision& d : PlanPrune(*archives, 1, later, false)) {
    removed[d.archive->id] = d.remove;
  }
  CHECK(removed == std::map<std::string, bool>{
                       {"A1", true}, {"A2", true}, {"B1", true}, {"B2", false}, {"C1", false}});
  REQUIRE(MarkRolledBack(store, "C1").ok());
  archives = ListArchives(store);
  REQUIRE(archives.ok());
  for (const PruneDecision& d : PlanPrune(*archives, 1, later, false)) {
    if (d.archive->id == "C1") CHECK(d.remove);
    if (d.archive->id == "B2") CHECK_FALSE(d.remove);
  }
  for (const PruneDecision& d : PlanPrune(*archives, 1, later, true)) CHECK(d.remove);
}

// A resumed run's archive lists its sources as held by the run's first: it supersedes nothing,
// and the first stays while it stays.
TEST_CASE("PlanPrune: an archive holding the sources of one that stays stays too", "[backup]") {
  e2e::TempDir dir;
  testing::WriteBytes(dir / "one", "1");
  std::string store = dir / "store";
  REQUIRE(EnsureBackupDir(store).ok());
  KeyMaterial key = testing::RandomKey();
  auto writer = BackupWriter::Create(store + "/A1.ferrybak", key, {});
  REQUIRE(writer.ok());
  std::vector<std::string> skipped;
  REQUIRE((*writer)->AddSource(dir / "one", &skipped).ok());
  REQUIRE((*writer)->EndSources().ok());  // a killed run: never finished
  writer->reset();
  Lister(store, "A2", "A1", dir / "one", key);
  auto archives = ListArchives(store);
  REQUIRE(archives.ok());
  REQUIRE(archives->size() == 2);
  CHECK((*archives)[1].info.sources_in == "A1");
  CHECK((*archives)[1].info.sources == 1);
  std::time_t later = std::time(nullptr) + 10 * 86400;
  std::map<std::string, std::string> reasons;
  for (const PruneDecision& d : PlanPrune(*archives, 1, later, false)) {
    CHECK_FALSE(d.remove);
    reasons[d.archive->id] = d.reason;
  }
  CHECK(reasons["A1"].find("superseded by") == std::string::npos);

  // A newer archive holding the same sources supersedes both; the lister goes, so may the first.
  Archive(store, "B1", dir / "one");
  archives = ListArchives(store);
  REQUIRE(archives.ok());
  for (const PruneDecision& d : PlanPrune(*archives, 1, later, false)) {
    if (d.archive->id != "B1") CHECK(d.remove);
  }
  // The lister younger than --keep-days (left out of the plan) still keeps the first.
  REQUIRE(MarkRolledBack(store, "A1").ok());
  archives = ListArchives(store);
  REQUIRE(archives.ok());
  std::vector<StoredArchive> without_b1((*archives).begin(), (*archives).begin() + 2);
  without_b1[1].info.header.created_unix = static_cast<uint64_t>(later);
  for (const PruneDecision& d : PlanPrune(without_b1, 1, later, false)) {
    CHECK(d.archive->id == "A1");
    CHECK_FALSE(d.remove);
    CHECK(d.reason == "holds the sources of A2, which is kept");
  }
}

}  // namespace ferry::backup::backup_store_test
