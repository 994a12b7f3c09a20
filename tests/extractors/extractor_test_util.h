// Helpers for the extractor tests: a temporary folder, files written into it, and an
// extractor drained into vectors.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "base/location.h"
#include "base/status.h"
#include "extractors/entry.h"
#include "extractors/extractor.h"
#include "tests/test_paths.h"

namespace ferry::testing {

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/ferry-extract-XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    path_ = made != nullptr ? made : "";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }

  // Writes `content` to path()/name (creating sub-folders) and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::filesystem::path full = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out << content;
    return full.string();
  }

  // Creates the sub-folder path()/name and returns its full path.
  std::string Folder(const std::string& name) const {
    std::filesystem::path full = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(full);
    return full.string();
  }

 private:
  std::string path_;
};

struct Reported {
  Location where;
  Status problem;
};

// Everything an extractor gave: its Open() status, entries, reports and final status.
struct Drained {
  Status open;
  std::vector<Entry> entries;
  std::vector<Reported> reports;
  Status status;
  SizeHint size;
};

inline Drained Drain(std::unique_ptr<Extractor> extractor) {
  Drained out;
  extractor->SetReporter([&out](const Location& where, const Status& problem) {
    out.reports.push_back({where, problem});
  });
  out.open = extractor->Open();
  out.size = extractor->ExpectedSize();
  if (out.open.ok()) {
    for (; extractor->Valid(); extractor->Next()) {
      out.entries.push_back(extractor->entry());
    }
  }
  out.status = extractor->status();
  return out;
}

// The first failure of a drained extractor (Open() or the final status), or OK.
inline Status FirstFailure(const Drained& drained) {
  return drained.open.ok() ? drained.status : drained.open;
}

// The folder of the real browser fixtures' expected dumps, when this machine has it.
inline std::optional<std::string> BrowserExpectedDir() {
  for (std::string dir : {std::string(FERRY_SOURCE_DIR) + "/tests/fixtures/browser/expected",
                          std::string(FERRY_SOURCE_DIR) + "/../shared/fixtures/browser/expected"}) {
    if (std::filesystem::exists(dir + "/taskapp-clean.json")) {
      return dir;
    }
  }
  return std::nullopt;
}

}  // namespace ferry::testing
