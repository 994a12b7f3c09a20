#include "extractors/common/source_files.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/common/file_reader.h"
#include "extractors/common/origin_filter.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::source_files_test {
namespace {

using testing::TempDir;

TEST_CASE("ListSourceFiles: a folder's matching files, sorted, hidden and sub-folders left out",
          "[extractors][common]") {
  TempDir dir;
  dir.Write("b.JSON", "12");
  dir.Write("a.json", "1");
  dir.Write("c.txt", "x");
  dir.Write(".swap.json", "x");
  dir.Folder("d.json");
  Result<SourceFiles> got = ListSourceFiles(dir.path(), {".json"});
  REQUIRE(got.ok());
  CHECK(got->from_folder);
  REQUIRE(got->files.size() == 2);
  CHECK(got->files[0].path == dir.path() + "/a.json");
  CHECK(got->files[0].size == 1);
  CHECK(got->files[1].path == dir.path() + "/b.JSON");
  // A file is taken as given, whatever its extension.
  Result<SourceFiles> file = ListSourceFiles(dir.path() + "/c.txt", {".json"});
  REQUIRE(file.ok());
  CHECK_FALSE(file->from_folder);
  CHECK(file->files.size() == 1);
}

TEST_CASE("ListSourceFiles: missing path and folder without matches are NotFound",
          "[extractors][common][corrupt]") {
  TempDir dir;
  CHECK(ListSourceFiles(dir.path() + "/missing", {".json"}).status().IsNotFound());
  dir.Write("x.txt", "x");
  Status none = ListSourceFiles(dir.path(), {".json"}).status();
  REQUIRE(none.IsNotFound());
  CHECK_THAT(none.message(), Catch::Contains(dir.path()));
  CHECK_THAT(none.message(), Catch::Contains("*.json"));
  CHECK(ListSourceFiles("/dev/null", {".json"}).status().IsInvalidArgument());
}

TEST_CASE("ReadJsonFile and FirstJsonByte: byte order mark, blank files, errors",
          "[extractors][common]") {
  TempDir dir;
  Result<simdjson::padded_string> text = ReadJsonFile(dir.Write("b.json", "\xEF\xBB\xBF[1]"));
  REQUIRE(text.ok());
  CHECK(std::string_view(text->data(), text->size()) == "   [1]");
  CHECK(FirstJsonByte(dir.path() + "/b.json") == '[');
  CHECK(FirstJsonByte(dir.Write("s.json", " \n\t{")) == '{');
  CHECK_FALSE(FirstJsonByte(dir.Write("e.json", "  \n")).has_value());
  CHECK_FALSE(FirstJsonByte(dir.path()).has_value());
  CHECK(ReadJsonFile(dir.path() + "/none.json").status().IsNotFound());
  CHECK(ReadJsonFile(dir.path()).status().IsInvalidArgument());
}

TEST_CASE("OriginSelected: exact, scheme-less and trailing-slash filters", "[extractors][common]") {
  CHECK(OriginSelected({}, "http://a:1"));
  CHECK(OriginSelected({"http://a:1"}, "http://a:1"));
  CHECK(OriginSelected({"a:1"}, "http://a:1"));
  CHECK(OriginSelected({"http://a:1/"}, "http://a:1"));
  CHECK_FALSE(OriginSelected({"a:2"}, "http://a:1"));
  CHECK_FALSE(OriginSelected({"https://a:1"}, "http://a:1"));
  CHECK_FALSE(OriginSelected({"a"}, "http://a:1"));
}

TEST_CASE("FileStem and HasExtension", "[extractors][common]") {
  CHECK(FileStem("dumps/user-17.json") == "user-17");
  CHECK(FileStem("a.b.ndjson") == "a.b");
  CHECK(HasExtension("X.JsonL", {".ndjson", ".jsonl"}));
  CHECK_FALSE(HasExtension("json", {".json"}));
}

}  // namespace
}  // namespace ferry::source_files_test
