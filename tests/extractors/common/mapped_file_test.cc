#include "extractors/common/mapped_file.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "tests/extractors/extractor_test_util.h"

namespace ferry::mapped_file_test {
namespace {

TEST_CASE("MappedFile: maps the file, a byte order mark reads as spaces, a release loses nothing",
          "[extractors][common][memory]") {
  testing::TempDir dir;
  // Several release steps of text, and a size that is a whole number of pages.
  std::string text = "\xEF\xBB\xBF{" + std::string((24 << 20) - 5, ' ') + "}";
  REQUIRE(text.size() % 4096 == 0);
  Result<std::unique_ptr<MappedFile>> file = MappedFile::Open(dir.Write("d.json", text));
  REQUIRE(file.ok());
  std::string_view mapped = (*file)->text();
  REQUIRE(mapped.size() == text.size());
  CHECK(mapped.substr(0, 4) == "   {");
  for (size_t at = 0; at <= mapped.size(); at += 1 << 20) (*file)->ReleaseBefore(at);
  // Released pages come back from the file when read again; the mark stays rewritten.
  CHECK(mapped.substr(0, 4) == "   {");
  CHECK(mapped.back() == '}');
  CHECK(mapped.find_first_not_of(' ', 4) == mapped.size() - 1);
}

TEST_CASE("MappedFile: empty, missing, a folder", "[extractors][common][memory][corrupt]") {
  testing::TempDir dir;
  Result<std::unique_ptr<MappedFile>> empty = MappedFile::Open(dir.Write("e.json", ""));
  REQUIRE(empty.ok());
  CHECK((*empty)->text().empty());
  (*empty)->ReleaseBefore(100);
  CHECK(MappedFile::Open(dir.path() + "/none.json").status().IsNotFound());
  CHECK(MappedFile::Open(dir.path()).status().IsInvalidArgument());
}

TEST_CASE("MappedFile: a file written to in place while mapped is named as changed",
          "[extractors][common][memory]") {
  testing::TempDir dir;
  std::string path = dir.Write("d.json", R"({"k": "aaaa"})");
  Result<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
  REQUIRE(file.ok());
  CHECK((*file)->Unchanged().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the clock's tick
  {
    std::fstream out(path, std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(8);
    out.write("bb", 2);  // same size, new bytes, same inode
  }
  Status changed = (*file)->Unchanged();
  CHECK(changed.IsIOError());
  CHECK_THAT(changed.message(), Catch::Contains(path + ": file changed while being read"));
  // An empty file is watched too.
  std::string empty_path = dir.Write("e.json", "");
  Result<std::unique_ptr<MappedFile>> empty = MappedFile::Open(empty_path);
  REQUIRE(empty.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(empty_path, std::ios::app) << "{}";
  CHECK((*empty)->Unchanged().IsIOError());
}

}  // namespace
}  // namespace ferry::mapped_file_test
