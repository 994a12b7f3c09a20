// End-to-end: a resumed run's archive (docs/formats/backup.md, "The backup a migrate run
// makes"). When the sources are byte for byte those the run's first archive holds, the resumed
// run's archive lists them and names that archive instead of holding them again; `backup
// verify` and `restore` of it read them from the first, `list` says where they are, and the
// run's rollback is exact. A source changed unseen by the resume's fingerprint (a folder's file
// of the same size and time) is archived whole again.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::resumed_archive_test {

namespace {

namespace fs = std::filesystem;

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Setup {
  TempDir work;
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kHexKey}};
  std::string dumps;

  Setup() {
    GenerateTaskappDumps(work / "gen", 3, 90, 7);
    dumps = work / "gen/dumps";
  }
  CommandResult Migrate(TargetFixture& target, const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> with = env;
    with.insert(extra.begin(), extra.end());
    return RunFerry({"migrate", dumps, "--user-id-from", "filename", "--target", target.url(),
                     "--continue-on-error", "--progress", "none", "--backup-dir", work / "b",
                     "--rejects", work / "rejects.ndjson"},
                    with);
  }
  CommandResult Backup(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"backup"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--backup-dir", work / "b"});
    return RunFerry(all, env);
  }
  // The archives' ids in their order (they begin with the time to the millisecond): the killed
  // session's, unfinished, first, although both were made within a second or so.
  std::vector<std::string> Archives() {
    std::vector<std::string> ids;
    for (const auto& entry : fs::directory_iterator(work / "b")) {
      if (entry.path().extension() == ".ferrybak") ids.push_back(entry.path().stem().string());
    }
    std::sort(ids.begin(), ids.end());
    std::string list = Backup({"list"}).out;
    for (size_t i = 0; i < ids.size(); ++i) {
      size_t line = list.find(ids[i] + "  run");
      REQUIRE(line != std::string::npos);
      bool incomplete =
          list.substr(line, list.find('\n', line) - line).find("incomplete") != std::string::npos;
      CHECK(incomplete == (i == 0 && ids.size() > 1));
    }
    return ids;
  }
  // Kills a first load after its first commit, then resumes it.
  void KillAndResume(TargetFixture& target, const std::function<void()>& between = {}) {
    std::string fault = target.kind() == "sqlite" ? "sqlite.after_commit:1" : "pg.after_commit:1";
    CommandResult killed = Migrate(target, {{"FERRY_FAULT", fault}});
    REQUIRE(killed.exit_code == 128 + 9);
    if (between) between();
    CommandResult resumed = Migrate(target, {});
    INFO(resumed.out << resumed.err);
    REQUIRE((resumed.exit_code == 0 || resumed.exit_code == 3));
    REQUIRE_THAT(resumed.out + resumed.err, Catch::Contains("resumed the interrupted run"));
  }
};

bool SameFiles(const std::string& a, const std::string& b) {
  return RunShell("diff -r '" + a + "' '" + b + "' >/dev/null").exit_code == 0;
}

}  // namespace

TEST_CASE(
    "resumed archive: lists the sources the run's first archive holds; verify, restore, "
    "list and rollback read them there",
    "[e2e][backup][resume][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    setup.KillAndResume(*target);
    std::vector<std::string> ids = setup.Archives();
    REQUIRE(ids.size() == 2);
    // The resumed run's holds no source byte: a fraction of the first's.
    CHECK(fs::file_size(setup.work / ("b/" + ids[1] + ".ferrybak")) * 4 <
          fs::file_size(setup.work / ("b/" + ids[0] + ".ferrybak")));
    CommandResult list = setup.Backup({"list"});
    CHECK_THAT(list.out, Catch::Contains("3 files") && Catch::Contains("(held by " + ids[0] + ")"));
    CommandResult verify = setup.Backup({"verify", ids[1]});
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains("sources verified in " + ids[0] + " (3 files"));

    // Restore of the resumed run's archive gives the sources back from the first, byte-exact.
    CommandResult restored = setup.Backup({"restore", ids[1], "--to", setup.work / "r"});
    INFO(restored.out << restored.err);
    REQUIRE(restored.exit_code == 0);
    CHECK(SameFiles(setup.dumps, setup.work / "r/dumps"));

    // Without the first, the second cannot give them back: it says where they were.
    fs::rename(setup.work / ("b/" + ids[0] + ".ferrybak"), setup.work / "first.ferrybak");
    CommandResult orphan = setup.Backup({"restore", ids[1], "--to", setup.work / "r2"});
    CHECK(orphan.exit_code != 0);
    CHECK_THAT(orphan.err, Catch::Contains("its sources are in archive " + ids[0]));
    CHECK_FALSE(fs::exists(setup.work / "r2/dumps"));
    fs::rename(setup.work / "first.ferrybak", setup.work / ("b/" + ids[0] + ".ferrybak"));

    // The run's rollback reads both archives' pre-images: the target is empty again.
    std::string run = target->Query("SELECT run_id FROM " + target->Bookkeeping("runs"))[0][0];
    CommandResult undo = RunFerry(
        {"rollback", "--target", target->url(), "--backup-dir", setup.work / "b", "--run", run},
        setup.env);
    INFO(undo.out << undo.err);
    REQUIRE(undo.exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) == 0);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("checkpoints")) == 0);
  }
}

TEST_CASE("resumed archive: a source changed unseen by the resume is archived whole again",
          "[e2e][backup][resume][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    Setup setup;
    // One byte of a dump's last task changed, its size and time kept: the resume's
    // fingerprint (a folder's files by size and time) does not see it; the archive must.
    std::string changed;
    setup.KillAndResume(*target, [&] {
      for (const auto& entry : fs::directory_iterator(setup.dumps)) changed = entry.path();
      std::string script = setup.work / "flip.py";
      RunShell("cat > '" + script +
               "' <<'PYEOF'\n"
               "import sys\n"
               "p = sys.argv[1]\n"
               "b = bytearray(open(p, 'rb').read())\n"
               "i = b.rindex(b'title') + 12\n"
               "while not (97 <= b[i] <= 122): i += 1\n"
               "b[i] -= 32\n"
               "open(p, 'wb').write(b)\n"
               "PYEOF");
      REQUIRE(RunShell("cp -p '" + changed + "' '" + setup.work / "was" + "' && python3 '" +
                       script + "' '" + changed + "' && touch -r '" + setup.work / "was" + "' '" +
                       changed + "'")
                  .exit_code == 0);
      REQUIRE(ReadFile(changed) != ReadFile(setup.work / "was"));
    });
    std::vector<std::string> ids = setup.Archives();
    REQUIRE(ids.size() == 2);
    CommandResult list = setup.Backup({"list"});
    CHECK_THAT(list.out, !Catch::Contains("held by"));
    CommandResult restored = setup.Backup({"restore", ids[1], "--to", setup.work / "r"});
    INFO(restored.out << restored.err);
    REQUIRE(restored.exit_code == 0);
    CHECK(SameFiles(setup.dumps, setup.work / "r/dumps"));  // the changed byte's file as it is now
  }
}

}  // namespace ferry::e2e::resumed_archive_test
