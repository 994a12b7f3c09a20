#include "agent/run/first_write_backup.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/e2e/e2e_util.h"

namespace ferry::first_write_backup_test {

namespace {

namespace fs = std::filesystem;

// What the loaders of a run were asked, in order, across threads.
struct Calls {
  std::mutex mutex;
  std::vector<std::string> said;
  void Add(const std::string& call) {
    std::lock_guard<std::mutex> lock(mutex);
    said.push_back(call);
  }
};

class CallLoader final : public Loader {
 public:
  explicit CallLoader(Calls* calls) : calls_(calls) {}
  Status Check(bool) override { return Status::OK(); }
  Status BeginRun(const RunInfo&) override { return Status::OK(); }
  Status EnsureSchema(const std::vector<const TableDef*>&) override { return Status::OK(); }
  Status LookupIdentities(const std::string&, const std::string&, const std::vector<std::string>&,
                          std::vector<std::optional<KnownIdentity>>*) override {
    return Status::OK();
  }
  Status FetchRows(const TableDef&, const std::vector<Row>&,
                   std::vector<std::optional<Row>>*) override {
    return Status::OK();
  }
  Result<BatchOutcome> Write(const WriteBatch&) override {
    calls_->Add("write");
    return BatchOutcome{};
  }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }
  Status RecordArchive(const std::string& archive_id) override {
    calls_->Add("record " + archive_id);
    return Status::OK();
  }

 private:
  Calls* calls_;
};

size_t ArchivesIn(const fs::path& dir) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    n += entry.path().extension() == ".ferrybak";
  return n;
}

std::unique_ptr<SourcesBackupPlan> Plan(const fs::path& dir) {
  auto plan = std::make_unique<SourcesBackupPlan>();
  plan->dir = dir.string();
  plan->key.kind = backup::KeyMaterial::Kind::kRawKey;
  plan->key.secret = backup::SecretBytes(std::string(32, '\x2a'));
  return plan;
}

}  // namespace

TEST_CASE("FirstWriteBackup: two writers, one archive, recorded before either writes",
          "[backup][run]") {
  e2e::TempDir dir;
  fs::create_directories(dir.path() / "b");
  std::ofstream(dir.path() / "source.json") << "{\"a\": 1}";
  RunReport report;
  report.run_id = "01M98W9FAKHSZ6WNH88RPMF896";
  FirstWriteBackup backup(Plan(dir.path() / "b"), {(dir.path() / "source.json").string()}, &report);
  Calls calls;
  std::unique_ptr<Loader> one = GateWritesOnBackup(std::make_unique<CallLoader>(&calls), &backup);
  std::unique_ptr<Loader> two = GateWritesOnBackup(std::make_unique<CallLoader>(&calls), &backup);
  Status first, second;
  std::thread a([&] { first = one->Write(WriteBatch{}).status(); });
  std::thread b([&] { second = two->Write(WriteBatch{}).status(); });
  a.join();
  b.join();
  CHECK(first.ok());
  CHECK(second.ok());
  REQUIRE(backup.made());
  CHECK(ArchivesIn(dir.path() / "b") == 1);
  REQUIRE(calls.said.size() == 3);
  CHECK(calls.said[0] == "record " + report.backup_id);
  CHECK(calls.said[1] == "write");
  CHECK(calls.said[2] == "write");
  CHECK(backup.Append("a pre-image").ok());
  CHECK(backup.Flush().ok());
  CHECK(backup.Close().ok());
}

TEST_CASE("FirstWriteBackup: a run that never writes makes no archive", "[backup][run]") {
  e2e::TempDir dir;
  fs::create_directories(dir.path() / "b");
  std::ofstream(dir.path() / "source.json") << "{\"a\": 1}";
  RunReport report;
  report.run_id = "01M98W9FAKHSZ6WNH88RPMF896";
  FirstWriteBackup backup(Plan(dir.path() / "b"), {(dir.path() / "source.json").string()}, &report);
  Calls calls;
  std::unique_ptr<Loader> one = GateWritesOnBackup(std::make_unique<CallLoader>(&calls), &backup);
  CHECK(one->RecordArchive("x").ok());  // passed on as it is, no archive made
  CHECK_FALSE(backup.made());
  CHECK_FALSE(backup.Append("a pre-image").ok());  // none comes before a write
  CHECK(backup.Close().ok());
  CHECK(ArchivesIn(dir.path() / "b") == 0);
  CHECK(report.backup_id.empty());
}

TEST_CASE("FirstWriteBackup: an archive that cannot be made stops every writer before it writes",
          "[backup][run]") {
  e2e::TempDir dir;
  RunReport report;
  report.run_id = "01M98W9FAKHSZ6WNH88RPMF896";
  // The folder is not there: the archive cannot be written.
  FirstWriteBackup backup(Plan(dir.path() / "missing"), {(dir.path() / "none.json").string()},
                          &report);
  Calls calls;
  std::unique_ptr<Loader> one = GateWritesOnBackup(std::make_unique<CallLoader>(&calls), &backup);
  std::unique_ptr<Loader> two = GateWritesOnBackup(std::make_unique<CallLoader>(&calls), &backup);
  CHECK_FALSE(one->Write(WriteBatch{}).ok());
  CHECK_FALSE(two->Write(WriteBatch{}).ok());
  CHECK(calls.said.empty());
  CHECK_FALSE(backup.made());
}

}  // namespace ferry::first_write_backup_test
