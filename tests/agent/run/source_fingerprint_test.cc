#include "agent/run/source_fingerprint.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace ferry::source_fingerprint_test {

namespace {

namespace fs = std::filesystem;

struct TempFolder {
  fs::path path;
  TempFolder() {
    path = fs::temp_directory_path() /
           ("ferry-fingerprint-" + std::to_string(getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path / "sub");
  }
  ~TempFolder() { fs::remove_all(path); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(path / name, std::ios::trunc) << text;
  }
};

std::string Of(const std::vector<std::string>& paths) {
  Result<std::string> fingerprint = SourceFingerprint(paths);
  REQUIRE(fingerprint.ok());
  return *fingerprint;
}

}  // namespace

TEST_CASE("SourceFingerprint: the same folder twice gives the same fingerprint") {
  TempFolder folder;
  folder.Write("a.json", "{}");
  folder.Write("sub/b.json", "{\"k\":1}");
  CHECK(Of({folder.path.string()}) == Of({folder.path.string()}));
  CHECK(Of({folder.path.string()}).size() == 16);
}

TEST_CASE("SourceFingerprint: a changed, added or removed file changes it") {
  TempFolder folder;
  folder.Write("a.json", "{}");
  std::string before = Of({folder.path.string()});
  folder.Write("a.json", "{\"x\":2}");
  std::string changed = Of({folder.path.string()});
  CHECK(changed != before);
  folder.Write("sub/new.json", "{}");
  std::string added = Of({folder.path.string()});
  CHECK(added != changed);
  fs::remove(folder.path / "sub/new.json");
  CHECK(Of({folder.path.string()}) == changed);
}

TEST_CASE("SourceFingerprint: LevelDB's LOCK and LOG files are left out") {
  TempFolder folder;
  folder.Write("000003.log", "data");
  std::string before = Of({folder.path.string()});
  folder.Write("LOG", "opened again");
  folder.Write("LOCK", "");
  CHECK(Of({folder.path.string()}) == before);
}

TEST_CASE("SourceFingerprint: a single file and a URL are fingerprinted") {
  TempFolder folder;
  folder.Write("u1.json", "{}");
  std::string file = Of({(folder.path / "u1.json").string()});
  CHECK(file != Of({(folder.path / "u2.json").string()}));
  CHECK(Of({"postgresql://db/app"}) != Of({"postgresql://db/other"}));
}

TEST_CASE("SourceFingerprint: a relative and an absolute spelling of one file agree") {
  TempFolder folder;
  folder.Write("u.json", "{}");
  fs::path previous = fs::current_path();
  fs::current_path(folder.path / "sub");
  std::string relative = Of({"../u.json"});
  fs::current_path(previous);
  CHECK(relative == Of({(folder.path / "u.json").string()}));
  CHECK(relative == Of({(folder.path / "sub" / ".." / "u.json").string()}));
}

TEST_CASE("SourceFingerprint: a file's content counts, even under the same size and time") {
  TempFolder folder;
  folder.Write("u.json", "{\"a\":1}");
  fs::path file = folder.path / "u.json";
  auto mtime = fs::last_write_time(file);
  std::string before = Of({file.string()});
  folder.Write("u.json", "{\"a\":2}");
  fs::last_write_time(file, mtime);
  CHECK(Of({file.string()}) != before);
}

namespace {

// An opened source of fixed content: what a database extractor reports after Open().
class DigestOnly final : public Extractor {
 public:
  explicit DigestOnly(std::string digest) : digest_(std::move(digest)) {}
  Status Open() override { return Status::OK(); }
  bool Valid() const override { return false; }
  const Entry& entry() const override { return entry_; }
  void Next() override {}
  Status status() const override { return Status::OK(); }
  SizeHint ExpectedSize() const override { return {}; }
  std::string ContentDigest() const override { return digest_; }

 private:
  std::string digest_;
  Entry entry_;
};

}  // namespace

TEST_CASE("FingerprintInput: a database is its URL without the password and its rows' digest") {
  SourceSpec spec{"postgresql", "postgresql://app:s3cret@db/legacy", {}};
  std::string input = FingerprintInput(spec, DigestOnly("users\t3\t42\n"));
  CHECK(input.find("s3cret") == std::string::npos);
  CHECK(input == "postgresql://app:****@db/legacy\nusers\t3\t42\n");
  // Another password, the same database and rows: the same source.
  SourceSpec other{"postgresql", "postgresql://app:n3w@db/legacy", {}};
  CHECK(FingerprintInput(other, DigestOnly("users\t3\t42\n")) == input);
  // A changed row: another fingerprint.
  CHECK(Of({FingerprintInput(spec, DigestOnly("users\t3\t43\n"))}) != Of({input}));
  // A file source is its path.
  CHECK(FingerprintInput(SourceSpec{"dump", "/d/u.json", {}}, DigestOnly("")) == "/d/u.json");
}

}  // namespace ferry::source_fingerprint_test
