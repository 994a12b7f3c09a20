#include "extractors/common/no_follow.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::no_follow_test {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST_CASE("FirstLinkBelow: the first link below the root, never the root itself",
          "[extractors][security]") {
  TempDir temp;
  std::string root = temp.Folder("root");
  temp.Folder("real/Local Storage/leveldb");
  fs::create_symlink(temp.path() + "/real", root + "/Default");
  fs::create_symlink(root, temp.path() + "/named");
  CHECK(FirstLinkBelow(root, root + "/Default/Local Storage/leveldb") == root + "/Default");
  CHECK(FirstLinkBelow(root + "/", root + "/Default") == root + "/Default");
  CHECK(FirstLinkBelow(temp.path() + "/named", temp.path() + "/named/x").empty());
  CHECK(FirstLinkBelow(temp.path() + "/real", temp.path() + "/real/Local Storage").empty());
  CHECK(FirstLinkBelow(root, temp.path() + "/real").empty());  // not below the root
}

TEST_CASE("CheckStorePlace: a link, FIFO or wrong kind is Corruption naming the place",
          "[extractors][security]") {
  TempDir temp;
  std::string root = temp.Folder("root");
  temp.Write("root/file", "x");
  REQUIRE(::mkfifo((root + "/fifo").c_str(), 0600) == 0);
  fs::create_symlink(root + "/file", root + "/link");
  CHECK(CheckStorePlace(root, root + "/file", false).ok());
  CHECK(CheckStorePlace(root, root, true).ok());
  Status fifo = CheckStorePlace(root, root + "/fifo", false);
  CHECK(fifo.IsCorruption());
  CHECK(fifo.message().find("a FIFO") != std::string::npos);
  Status link = CheckStorePlace(root, root + "/link", false);
  CHECK(link.IsCorruption());
  CHECK(link.message().find("symbolic link") != std::string::npos);
  CHECK(CheckStorePlace(root, root + "/missing", false).IsNotFound());
}

}  // namespace
}  // namespace ferry::no_follow_test
