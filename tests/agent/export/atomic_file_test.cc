#include "agent/export/atomic_file.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::atomic_file_test {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t FilesIn(const std::string& folder) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& item : fs::directory_iterator(folder)) ++count;
  return count;
}

TEST_CASE("AtomicFile: the file appears whole on Commit", "[agent][export]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/dump.json";
  {
    auto file = AtomicFile::Create(path);
    REQUIRE(file.ok());
    (*file)->stream() << "{}\n";
    CHECK_FALSE(fs::exists(path));  // nothing at the destination before the end
    REQUIRE((*file)->Commit().ok());
  }
  CHECK(Read(path) == "{}\n");
  CHECK(FilesIn(dir.path()) == 1);  // no temporary file left
  CHECK((fs::status(path).permissions() & fs::perms::owner_read) != fs::perms::none);
}

TEST_CASE("AtomicFile: without Commit the old file stays and nothing is left", "[agent][export]") {
  testing::TempDir dir;
  std::string path = dir.Write("dump.json", "old");
  {
    auto file = AtomicFile::Create(path);
    REQUIRE(file.ok());
    (*file)->stream() << "half a new fi";
  }
  CHECK(Read(path) == "old");
  CHECK(FilesIn(dir.path()) == 1);
}

TEST_CASE("AtomicFile: a missing folder is an IOError naming it", "[agent][export]") {
  testing::TempDir dir;
  auto file = AtomicFile::Create(dir.path() + "/no/such/dump.json");
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().IsIOError());
  CHECK_THAT(file.status().message(), Catch::Contains("no/such"));
  CHECK_FALSE(AtomicFile::Create(dir.path() + "/").ok());
}

}  // namespace
}  // namespace ferry::atomic_file_test
