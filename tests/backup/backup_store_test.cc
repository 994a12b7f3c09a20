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

}  // namespace

TEST_CASE("ArchivePath: ids cannot name another folder", "[backup]") {
  CHECK(*ArchivePath("/b", "20261206T115014Z-a1b2c3") == "/b/20261206T115014Z-a1b2c3.ferrybak");
  CHECK(ArchivePath("/b", "..").status().IsInvalidArgument());
  CHECK(ArchivePath("/b", "").status().IsInvalidArgument());
  CHECK(*ArchivePath("/b", "./x.ferrybak") == "./x.ferrybak");
  CHECK(NewArchiveId(0).rfind("19700101T000000Z-", 0) == 0);
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

}  // namespace ferry::backup::backup_store_test
