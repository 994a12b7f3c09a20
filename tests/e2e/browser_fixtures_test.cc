// End-to-end over the real browser stores in ../shared/fixtures/browser/: every scenario
// folder of every browser whose source kind is registered is exported and compared with
// expected/<scenario>.json (code unit for code unit, unpaired surrogates included); the
// taskapp-* scenarios are migrated and must reject exactly the records meta.json marks
// invalid; and every file of the (read-only) fixture copy keeps its SHA-256. New scenarios
// are picked up without code; a browser whose kind is not registered yet is skipped with a
// WARN.
#include <fcntl.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "extractors/registry.h"
#include "tests/e2e/e2e_util.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::e2e::browser_fixtures_test {
namespace {

namespace fs = std::filesystem;
using testing::ExpectedStore;
using testing::ReadExpectedStore;

fs::path BrowserFixtures() { return SharedDir() / "fixtures/browser"; }

bool KindRegistered(const std::string& name) {
  const auto& kinds = SourceKinds();
  return std::any_of(kinds.begin(), kinds.end(),
                     [&name](const SourceKind& kind) { return name == kind.name; });
}

struct Scenario {
  std::string browser;
  std::string name;
  fs::path store;
};

// Every scenario folder of every registered browser that has an expected/<name>.json.
std::vector<Scenario> Scenarios() {
  std::vector<Scenario> scenarios;
  for (const std::string browser : {"chromium", "firefox"}) {
    fs::path folder = BrowserFixtures() / browser;
    if (!fs::is_directory(folder)) continue;
    if (!KindRegistered(browser)) {
      WARN("source kind " << browser << " is not registered yet: its fixtures are skipped");
      continue;
    }
    std::vector<fs::path> stores;
    for (const auto& item : fs::directory_iterator(folder)) {
      if (item.is_directory()) stores.push_back(item.path());
    }
    std::sort(stores.begin(), stores.end());
    for (const fs::path& store : stores) {
      std::string name = store.filename().string();
      if (!fs::exists(BrowserFixtures() / "expected" / (name + ".json"))) {
        WARN(browser << "/" << name << " has no expected/" << name << ".json: skipped");
        continue;
      }
      scenarios.push_back(Scenario{browser, name, store});
    }
  }
  return scenarios;
}

// SHA-256 of every file under `root`, by path relative to it; folders listed with "dir".
std::map<std::string, std::string> Fingerprint(const fs::path& root) {
  std::map<std::string, std::string> prints;
  for (const auto& item : fs::recursive_directory_iterator(root)) {
    std::string relative = fs::relative(item.path(), root).string();
    prints[relative] = item.is_directory() ? "dir" : FileSha256(item.path().string());
  }
  return prints;
}

void SetWritable(const fs::path& root, bool writable) {
  auto change = [writable](const fs::path& path) {
    fs::perms write = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
    fs::permissions(path, writable ? fs::perms::owner_write : write,
                    writable ? fs::perm_options::add : fs::perm_options::remove);
  };
  // Read-only folders last, writable ones first, so that the walk itself never fails.
  if (writable) change(root);
  std::vector<fs::path> paths;
  for (const auto& item : fs::recursive_directory_iterator(root)) paths.push_back(item.path());
  if (writable) {
    for (const fs::path& path : paths) change(path);
  } else {
    for (auto it = paths.rbegin(); it != paths.rend(); ++it) change(*it);
    change(root);
  }
}

// A read-only copy of a fixture store, made writable again on destruction (to be removed).
class ReadOnlyCopy {
 public:
  ReadOnlyCopy(const fs::path& store, const fs::path& where) : path_(where) {
    fs::copy(store, path_, fs::copy_options::recursive);
    SetWritable(path_, false);
  }
  ~ReadOnlyCopy() {
    std::error_code ignored;
    SetWritable(path_, true);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool AnyWritable(const fs::path& root) {
  auto writable = [](const fs::path& path) {
    return (fs::status(path).permissions() & fs::perms::owner_write) != fs::perms::none;
  };
  if (writable(root)) return true;
  for (const auto& item : fs::recursive_directory_iterator(root)) {
    if (writable(item.path())) return true;
  }
  return false;
}

std::string Utf8(const testing::Units& units) { return testing::UnitsToUtf8Lossy(units); }

// (origin, key, index) of every record meta.json marks invalid.
using RecordPlace = std::tuple<std::string, std::string, int64_t>;

std::set<RecordPlace> InvalidRecords(const fs::path& meta_path) {
  simdjson::dom::parser parser;
  simdjson::dom::element meta = parser.load(meta_path.string());
  std::set<RecordPlace> places;
  for (simdjson::dom::element item : meta["invalid"].get_array()) {
    places.insert({std::string(std::string_view(item["origin"])),
                   std::string(std::string_view(item["key"])), int64_t(item["index"])});
  }
  return places;
}

std::set<RecordPlace> RejectedRecords(const std::string& rejects_path) {
  std::set<RecordPlace> places;
  std::ifstream lines(rejects_path);
  std::string line;
  simdjson::dom::parser parser;
  while (std::getline(lines, line)) {
    INFO(line);
    simdjson::dom::element reject = parser.parse(line);
    int64_t index = -1;
    if (reject["index"].get(index) != simdjson::SUCCESS) index = -1;
    std::string_view origin;
    if (reject["origin"].get(origin) != simdjson::SUCCESS) origin = "";
    places.insert({std::string(origin), std::string(std::string_view(reject["key"])), index});
    CHECK(line.find("ghp_") == std::string::npos);  // the fake secrets never reach a reject
  }
  return places;
}

int64_t TaskCount(const ExpectedStore& expected) {
  int64_t total = 0;
  for (const auto& [origin, keys] : expected) {
    auto tasks = keys.find(u"tasks");
    if (tasks == keys.end()) continue;
    simdjson::dom::parser parser;
    total += static_cast<int64_t>(parser.parse(Utf8(tasks->second)).get_array().size());
  }
  return total;
}

// What a migration put in the tasks table, without the ULIDs (new on every run).
std::vector<std::vector<std::string>> TaskRows(const std::string& db) {
  return Query(db,
               "SELECT legacy_id, title, description, status, tags, created_at, updated_at "
               "FROM tasks ORDER BY legacy_id");
}

void CheckMigrate(const Scenario& scenario, const std::string& source,
                  const ExpectedStore& expected, const std::string& exported, TempDir& work) {
  std::string db = work / "store.db";
  std::string rejects = work / "store-rejects.ndjson";
  CommandResult run = RunFerry({"migrate", source, "--user-id", "demo", "--target", "sqlite:" + db,
                                "--continue-on-error", "--rejects", rejects, "--progress", "none"});
  REQUIRE(run.exit_code == 3);  // done, with the planted rejects
  std::set<RecordPlace> invalid =
      InvalidRecords(BrowserFixtures() / "expected" / (scenario.name + ".meta.json"));
  REQUIRE_FALSE(invalid.empty());
  CHECK(RejectedRecords(rejects) == invalid);
  CHECK(std::stoll(Query(db, "SELECT count(*) FROM tasks")[0][0]) ==
        TaskCount(expected) - static_cast<int64_t>(invalid.size()));
  CHECK(Query(db, "SELECT count(*) FROM user_preferences")[0][0] == "1");
  CHECK(Query(db, "SELECT count(*) FROM environments WHERE config LIKE '%ghp_%'")[0][0] == "0");

  // Export, then migrate of the dump, gives what migrate of the store gives.
  std::string dump_db = work / "dump.db";
  std::string dump_rejects = work / "dump-rejects.ndjson";
  CommandResult again =
      RunFerry({"migrate", "dump:" + exported, "--user-id", "demo", "--target", "sqlite:" + dump_db,
                "--continue-on-error", "--rejects", dump_rejects, "--progress", "none"});
  REQUIRE(again.exit_code == 3);
  CHECK(RejectedRecords(dump_rejects) == invalid);
  CHECK(TaskRows(dump_db) == TaskRows(db));
}

TEST_CASE(
    "browser fixtures: export is expected/<scenario>.json, migrate rejects exactly the "
    "invalid records, the originals are untouched",
    "[e2e][fixtures][browser]") {
  if (!fs::exists(BrowserFixtures())) {
    WARN("browser fixtures not found at " << BrowserFixtures() << "; skipped");
    return;
  }
  std::vector<Scenario> scenarios = Scenarios();
  REQUIRE(scenarios.size() >= 5);  // at least the chromium ones
  for (const Scenario& scenario : scenarios) {
    DYNAMIC_SECTION(scenario.browser << "/" << scenario.name) {
      TempDir work;
      ReadOnlyCopy copy(scenario.store, work / "store");
      std::map<std::string, std::string> before = Fingerprint(copy.path());
      std::string source = scenario.browser + ":" + copy.path().string();
      ExpectedStore expected =
          ReadExpectedStore((BrowserFixtures() / "expected" / (scenario.name + ".json")).string());

      // (a) export gives exactly what the page wrote.
      std::string exported = work / "export.json";
      CommandResult run = RunFerry({"export", source, "--out", exported});
      REQUIRE(run.exit_code == 0);
      CHECK(run.out.empty());
      ExpectedStore got = ReadExpectedStore(exported);
      CHECK(got.size() == expected.size());
      for (const auto& [origin, keys] : expected) {
        INFO("origin " << origin);
        REQUIRE(got.count(origin) == 1);
        CHECK(got.at(origin).size() == keys.size());
        for (const auto& [key, value] : keys) {
          INFO("key " << Utf8(key));
          auto found = got.at(origin).find(key);
          REQUIRE(found != got.at(origin).end());
          CHECK((found->second == value));
        }
      }
      // The dump reads back to the same dump: exported again, it is the same bytes.
      std::string round_trip = work / "round-trip.json";
      REQUIRE(RunFerry({"export", "dump:" + exported, "--out", round_trip}).exit_code == 0);
      CHECK(ReadFile(round_trip) == ReadFile(exported));

      // (b) the task app's valid records load; exactly the planted invalid ones are rejected.
      if (scenario.name.rfind("taskapp-", 0) == 0) {
        CheckMigrate(scenario, source, expected, exported, work);
      }

      // (c) not a byte of the read-only copy changed, and it is still read-only.
      CHECK(Fingerprint(copy.path()) == before);
      CHECK_FALSE(AnyWritable(copy.path()));
    }
  }
}

TEST_CASE("browser fixtures: export to stdout is the --out file byte for byte",
          "[e2e][fixtures][browser]") {
  fs::path store = BrowserFixtures() / "chromium/taskapp-clean";
  if (!fs::exists(store) || !KindRegistered("chromium")) {
    WARN("chromium taskapp-clean fixture not available; skipped");
    return;
  }
  TempDir work;
  ReadOnlyCopy copy(store, work / "store");
  std::string out = work / "out.json";
  REQUIRE(RunFerry({"export", copy.path().string(), "--out", out}).exit_code == 0);
  CommandResult piped = RunFerry({"export", copy.path().string()});
  REQUIRE(piped.exit_code == 0);
  CHECK(piped.out == ReadFile(out));
}

TEST_CASE("browser fixtures: a Chromium store whose LOCK another process holds is still read",
          "[e2e][fixtures][browser]") {
  fs::path store = BrowserFixtures() / "chromium/taskapp-clean";
  if (!fs::exists(store) || !KindRegistered("chromium")) {
    WARN("chromium taskapp-clean fixture not available; skipped");
    return;
  }
  TempDir work;
  fs::path copy = work.path() / "store";
  fs::copy(store, copy, fs::copy_options::recursive);
  SetWritable(copy, true);
  fs::path lock = copy / "Default/Local Storage/leveldb/LOCK";
  // Taken before the lock: closing any descriptor of LOCK in this process (as hashing it
  // does) would drop an fcntl lock.
  std::map<std::string, std::string> before = Fingerprint(copy);
  // Held as LevelDB holds it: an exclusive fcntl lock on the whole file. fcntl locks belong
  // to this process, so the ferry child sees the LOCK taken by another process.
  int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct flock hold = {};
  hold.l_type = F_WRLCK;
  hold.l_whence = SEEK_SET;
  REQUIRE(::fcntl(fd, F_SETLK, &hold) == 0);

  std::string exported = work / "export.json";
  CommandResult run = RunFerry({"export", copy.string(), "--out", exported});
  CHECK(run.exit_code == 0);
  CHECK(ReadExpectedStore(exported) ==
        ReadExpectedStore((BrowserFixtures() / "expected/taskapp-clean.json").string()));
  std::string db = work / "t.db";
  CommandResult migrated =
      RunFerry({"migrate", copy.string(), "--user-id", "demo", "--target", "sqlite:" + db,
                "--continue-on-error", "--rejects", work / "r.ndjson", "--progress", "none"});
  CHECK(migrated.exit_code == 3);
  CHECK(Query(db, "SELECT count(*) FROM tasks")[0][0] != "0");

  // Still held by this process (a second descriptor of ours could not tell: ask a child).
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int probe = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
    struct flock ask = {};
    ask.l_type = F_WRLCK;
    ask.l_whence = SEEK_SET;
    _exit(probe >= 0 && ::fcntl(probe, F_GETLK, &ask) == 0 && ask.l_type != F_UNLCK ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  ::close(fd);
  CHECK(Fingerprint(copy) == before);
}

}  // namespace
}  // namespace ferry::e2e::browser_fixtures_test
