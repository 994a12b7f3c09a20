// End-to-end: the files ferry writes. None may land inside a source (exit 2 before anything
// is written, links resolved), and every one is created 0600 whatever the umask, since they
// hold a store's data (docs/security.md).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/test_paths.h"

namespace ferry::e2e::security_outputs_test {
namespace {

namespace fs = std::filesystem;

fs::path Fixture(const std::string& scenario) {
  return SharedDir() / "fixtures/browser/chromium" / scenario;
}

// A writable copy of the task-app Chromium store and the hashes of its files.
struct Store {
  Store() {
    fs::copy(Fixture("taskapp-clean"), path(), fs::copy_options::recursive);
    for (const auto& item : fs::recursive_directory_iterator(path())) {
      fs::permissions(item.path(), fs::perms::owner_write, fs::perm_options::add);
    }
  }
  std::string path() const { return work / "store"; }
  std::string leveldb() const { return path() + "/Default/Local Storage/leveldb"; }
  // Every file of the store with its hash: what must not change.
  std::map<std::string, std::string> Snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& item : fs::recursive_directory_iterator(path())) {
      if (item.is_regular_file()) files[item.path().string()] = FileSha256(item.path().string());
    }
    return files;
  }
  TempDir work;
};

#define SKIP_WITHOUT_FIXTURES()                  \
  if (!fs::exists(Fixture("taskapp-clean"))) {   \
    WARN("browser fixtures not found; skipped"); \
    return;                                      \
  }

std::vector<std::string> Migrate(const Store& store, const std::string& db,
                                 std::vector<std::string> extra) {
  std::vector<std::string> args = {"migrate",  store.path(),   "--user-id",  "u1",
                                   "--target", "sqlite:" + db, "--progress", "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST_CASE("migrate: a report, reject file or SQLite target inside the source is refused",
          "[e2e][security][sqlite]") {
  SKIP_WITHOUT_FIXTURES();
  Store store;
  TempDir out;
  fs::create_symlink(store.path(), out / "link");
  std::map<std::string, std::string> before = store.Snapshot();
  std::string db = out / "t.db";
  std::vector<std::vector<std::string>> extras = {
      {"--report", store.leveldb() + "/CURRENT"},
      {"--report", store.path() + "/r.json"},
      {"--rejects", store.leveldb() + "/000004.log"},
      {"--report", out / "link/Default/r.json"},  // through a link
  };
  for (const std::vector<std::string>& extra : extras) {
    CommandResult run = RunFerry(Migrate(store, db, extra));
    INFO(Describe(run));
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("never writes to a source") != std::string::npos);
  }
  CommandResult inside = RunFerry(Migrate(store, store.path() + "/t.db", {}));
  INFO(Describe(inside));
  CHECK(inside.exit_code == 2);
  // The default reject file would go to the current folder, here inside the store.
  CommandResult cwd =
      RunShell("cd '" + store.leveldb() + "' && '" + FERRY_BINARY +
               "' migrate . --user-id u1 --target 'sqlite:" + db + "' --progress none 2>&1");
  INFO(cwd.out);
  CHECK(cwd.exit_code == 2);
  CHECK(store.Snapshot() == before);
  CHECK_FALSE(fs::exists(db));
}

// The permission bits of `path` that others (group, world) have.
fs::perms OthersBits(const std::string& path) {
  return fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all);
}

TEST_CASE("files ferry writes are 0600 even under umask 000", "[e2e][security][sqlite]") {
  TempDir g;
  GenerateTaskappDumps(g.path().string(), 1, 60, 5);
  TempDir out;
  mode_t saved = ::umask(0);
  CommandResult run = RunShell(
      "cd '" + out.path().string() + "' && '" + std::string(FERRY_BINARY) + "' migrate '" +
      (g / "dumps") +
      "' --user-id-from filename --target sqlite:t.db --continue-on-error --progress none "
      "--report r.json >/dev/null 2>&1; '" +
      FERRY_BINARY + "' migrate '" + (g / "dumps") +
      "' --user-id-from filename --target sqlite:t2.db --continue-on-error --progress none "
      "--rejects rejects.ndjson >/dev/null 2>&1; '" +
      FERRY_BINARY + "' export '" + (g / "dumps") + "' --out dump.json");
  ::umask(saved);
  INFO(run.out);
  std::vector<std::string> written = {"t.db", "r.json", "rejects.ndjson", "dump.json"};
  for (const auto& item : fs::directory_iterator(out.path())) {
    if (item.path().filename().string().rfind("ferry-rejects-", 0) == 0) {
      written.push_back(item.path().filename().string());
    }
  }
  CHECK(written.size() == 5);  // the first run's default reject file too
  for (const std::string& name : written) {
    INFO(name);
    REQUIRE(fs::exists(out / name));
    CHECK(OthersBits(out / name) == fs::perms::none);
  }
}

}  // namespace
}  // namespace ferry::e2e::security_outputs_test

// File-local: a unity batch (cmake/unity.cmake) compiles the next file after this one.
#undef SKIP_WITHOUT_FIXTURES
