#include "extractors/common/store_copy.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "extractors/chromium/chromium_format.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::store_copy_test {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A sparse file of `bytes`: takes no room on disk.
void Sparse(const std::string& path, uint64_t bytes) {
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(bytes)) == 0);
}

TEST_CASE("StoreCopy: a LevelDB folder's copy holds only the files LevelDB reads",
          "[extractors][security]") {
  TempDir temp;
  std::string dir = temp.Folder("leveldb");
  for (const char* name : {"CURRENT", "MANIFEST-000001", "000003.log", "000005.ldb", "000006.sst",
                           "LOCK", "LOG", "LOG.old", "junk.bin"}) {
    temp.Write(std::string("leveldb/") + name, "x");
  }
  Sparse(dir + "/junk.bin", 200ull << 20);
  auto copy = StoreCopy::Make(dir, "chromium", chromium::IsCopiedStoreFile);
  REQUIRE(copy.ok());
  std::vector<std::string> names;
  for (const auto& item : fs::directory_iterator((*copy)->path())) {
    names.push_back(item.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"000003.log", "000005.ldb", "000006.sst", "CURRENT",
                                          "MANIFEST-000001"});
  CHECK((*copy)->bytes() == 5);
}

TEST_CASE("StoreCopy: files larger than the temp folder's free space are refused before copying",
          "[extractors][security]") {
  TempDir temp;
  std::string dir = temp.Folder("leveldb");
  temp.Write("leveldb/CURRENT", "MANIFEST-000001\n");
  temp.Write("leveldb/000005.ldb", "");
  Sparse(dir + "/000005.ldb", 1ull << 40);  // 1 TiB, sparse
  auto copy = StoreCopy::Make(dir, "chromium", chromium::IsCopiedStoreFile);
  REQUIRE_FALSE(copy.ok());
  CHECK(copy.status().IsIOError());
  CHECK(copy.status().message().find("free") != std::string::npos);
}

TEST_CASE("StoreCopy: a link or FIFO among the store's files is refused, not copied",
          "[extractors][security]") {
  TempDir temp;
  std::string dir = temp.Folder("leveldb");
  temp.Write("leveldb/CURRENT", "MANIFEST-000001\n");
  std::string secret = temp.Write("secret.ldb", "token");
  fs::create_symlink(secret, dir + "/000005.ldb");
  REQUIRE(::mkfifo((dir + "/000003.log").c_str(), 0600) == 0);
  auto copy = StoreCopy::Make(dir, "chromium", chromium::IsCopiedStoreFile);
  REQUIRE(copy.ok());
  CHECK((*copy)->refused().size() == 2);
  CHECK_FALSE(fs::exists((*copy)->path() + "/000005.ldb"));
  CHECK_FALSE(fs::exists((*copy)->path() + "/000003.log"));
}

}  // namespace
}  // namespace ferry::store_copy_test
